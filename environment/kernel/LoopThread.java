/*
 * saelab: start-up fix for rapaio-jupyter-kernel 3.0.1 (MIT), written for saelab.
 *
 * The kernel's channel threads run "while (running) { body; sleep; }". In 3.0.1 start() starts the
 * thread first and only then sets running = true, so a thread that gets scheduled at once sees
 * running == false, leaves its loop, and the kernel never answers (10-25% of starts hang with
 * "Kernel didn't respond"). This class has the same name and public API and sets the flag before
 * the thread starts. environment/setup compiles it against the kernel jar and puts it first on the
 * kernel's classpath, so it replaces the original class; nothing else of the kernel is changed.
 */
package org.rapaio.jupyter.kernel.channels;

public final class LoopThread extends Thread {

    private volatile boolean running;
    private final long sleep;
    private final Runnable loopBody;

    public LoopThread(String name, long sleep, Runnable loopBody) {
        super(name);
        this.sleep = sleep;
        this.loopBody = loopBody;
    }

    @Override
    public void run() {
        while (running) {
            loopBody.run();
            try {
                Thread.sleep(sleep);
            } catch (InterruptedException e) {
                running = false;
                return;
            }
        }
    }

    @Override
    public synchronized void start() {
        running = true; // before the thread can look at it: the fix
        super.start();
    }

    public void shutdown() {
        running = false;
    }
}
