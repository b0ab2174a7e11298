package saelab.heads;

import java.util.List;

/** A task head on a vision tower's output, with its class names: what an intervention measures before and after an edit. */
public interface TaskHead extends Readout {

    /** The class names, in the order of the logits' last axis. */
    List<String> classes();

    /** What the head predicts. */
    HeadKind kind();
}
