/*
 * saelab: start-up fix for rapaio-jupyter-kernel 3.0.1 (MIT), written for saelab.
 *
 * The kernel's channel threads run "while (running) { body; sleep; }". Two start-up races in 3.0.1
 * leave the kernel deaf (measured here: 4 of 30 starts hung without this class):
 *  1. start() starts the thread first and only then sets running = true, so a thread scheduled at
 *     once sees running == false and leaves its loop;
 *  2. Channels.connect() starts the channel threads before it installs the message handlers, so a
 *     kernel_info_request that arrives in between throws a NullPointerException out of the loop
 *     body, which ends the shell thread for good.
 * This class has the same name and public API; it sets the flag before the thread starts, and a
 * loop body that throws is reported on stderr (the kernel log) and the loop goes on, so the next
 * request (Jupyter clients repeat kernel_info_request every second until answered) is served.
 * environment/setup compiles it against the kernel jar and puts it first on the kernel's classpath,
 * so it replaces the original class; nothing else of the kernel is changed.
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
            try {
                loopBody.run();
            } catch (RuntimeException e) {
                System.err.println("[saelab kernel fix] " + getName() + ": a message handler failed and was skipped: " + e);
            }
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
