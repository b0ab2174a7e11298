package saelab.toy;

/**
 * A held-out linear probe ({@link LinearProbe}) for one attribute of a toy-world scene's largest object (its
 * colour, shape or texture, see {@link saelab.data.ToyWorldScene#largestObject()}) on a toy backbone's frozen
 * features, beside its chance level.
 *
 * @param target    {@code colour}, {@code shape} or {@code texture}
 * @param classes   the number of values the attribute takes
 * @param cls       held-out accuracy on the pooled class token
 * @param meanPatch held-out accuracy on the mean of the final patch tokens
 * @param chance    held-out accuracy of always answering the probe-training split's majority value
 */
public record ToyAttributeProbe(String target, int classes, double cls, double meanPatch, double chance) {}
