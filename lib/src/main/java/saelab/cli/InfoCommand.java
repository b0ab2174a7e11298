package saelab.cli;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import saelab.BuildInfo;
import saelab.config.RunSettings;
import saelab.config.Workspace;

/** {@code saelab info}: versions, the compute engine (loads the native library and multiplies two matrices), the run settings. */
@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Show versions, the compute engine and device, the workspace and run settings.")
final class InfoCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.println(BuildInfo.current().describe());
        System.out.println("java      " + System.getProperty("java.vm.name") + " " + Runtime.version()
                + " at " + System.getProperty("java.home"));
        Engine engine = Engine.getInstance();
        try (NDManager nd = NDManager.newBaseManager()) {
            NDArray a = nd.arange(6f).reshape(2, 3);
            float check = a.matMul(a.transpose()).getFloat(1, 1); // 3²+4²+5² = 50
            System.out.println("engine    " + engine.getEngineName() + " " + engine.getVersion()
                    + ", device " + nd.getDevice() + ", GPUs visible " + engine.getGpuCount()
                    + ", matmul check " + (check == 50f ? "ok" : "FAILED (" + check + ")"));
        }
        RunSettings settings = RunSettings.fromEnvironment();
        System.out.println("profile   " + settings.profile().id() + (settings.quick() ? " (quick)" : ""));
        try {
            System.out.println("workspace " + Workspace.locate().root());
        } catch (IllegalStateException e) {
            System.out.println("workspace none (" + e.getMessage() + ")");
        }
        return 0;
    }
}
