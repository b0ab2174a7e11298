package saelab.capture;

import java.io.PrintStream;
import java.nio.file.Path;

/**
 * The child process of {@link CaptureKillTest}: runs the capture of {@link CaptureTestData#killOptions}
 * with a pause after every batch, so the test can kill it with SIGKILL part-way through.
 *
 * <p>Arguments: model folder, image folder, cache folder, pause per batch in milliseconds.
 */
public final class KillableCaptureMain {

    private KillableCaptureMain() {}

    public static void main(String[] args) throws Exception {
        long pause = Long.parseLong(args[3]);
        CaptureOptions o = CaptureTestData.killOptions(Path.of(args[0]), Path.of(args[1]), Path.of(args[2]));
        PrintStream log = System.out;
        CapturePipeline.run(o, log, written -> {
            try {
                Thread.sleep(pause);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        System.out.println("finished");
    }
}
