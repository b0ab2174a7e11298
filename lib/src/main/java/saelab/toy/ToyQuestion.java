package saelab.toy;

/**
 * One question about one toy-world scene, with its ground-truth answer.
 *
 * @param scene    the scene index in its world
 * @param type     the kind of question
 * @param question the question text, e.g. "what colour is the circle?"
 * @param answer   the answer text: one lower-case word, or the caption for {@link ToyQuestionType#CAPTION}
 */
public record ToyQuestion(int scene, ToyQuestionType type, String question, String answer) {}
