package saelab.cli;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * The {@code --device cpu|gpu|gpu:N} option of the commands that run on the PyTorch engine ({@code train},
 * {@code capture}, {@code forward}, {@code bench forward}), declared and checked once; used as a picocli mixin.
 */
final class DeviceOption {

    @Option(names = "--device", defaultValue = "cpu", description = "cpu, gpu or gpu:N (default ${DEFAULT-VALUE})")
    String device;

    /** The device the user named; see {@link #parse}. */
    Device device() {
        return parse(device);
    }

    /** Parses a device name; refuses a GPU that the PyTorch engine cannot see. */
    static Device parse(String name) {
        String n = name.trim().toLowerCase(Locale.ROOT);
        Device d;
        if (n.equals("cpu")) {
            d = Device.cpu();
        } else if (n.matches("gpu(:?[0-9]+)?")) {
            d = Device.gpu(n.equals("gpu") ? 0 : Integer.parseInt(n.substring(n.startsWith("gpu:") ? 4 : 3)));
        } else {
            throw new IllegalArgumentException("--device is '" + name + "'; expected cpu, gpu or gpu:N");
        }
        if (d.isGpu() && d.getDeviceId() >= Engine.getInstance().getGpuCount()) {
            throw new IllegalArgumentException("--device " + name + ": the PyTorch engine sees " + Engine.getInstance().getGpuCount()
                    + " GPU(s); use --device cpu, or a machine with a CUDA GPU and the CUDA build of libtorch");
        }
        return d;
    }
}
