package saelab.data;

/**
 * What to do with an image that is missing or cannot be read (while building a dataset manifest, or
 * later while decoding during a capture).
 */
public enum ProblemPolicy {

    /** Leave the image out, record its path and the reason, and go on; the count is reported at the end. */
    SKIP_AND_COUNT,

    /** Stop with an error that names the image's path and the reason. */
    STOP
}
