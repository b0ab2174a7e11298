package saelab.toy;

/**
 * Held-out accuracy of the toy VLM on one kind of question.
 *
 * @param type           the kind of question
 * @param questions      held-out questions of that kind
 * @param accuracy       fraction answered exactly right by greedy decoding (answers normalised: trimmed,
 *                       lower-cased, trailing punctuation dropped)
 * @param chance         the accuracy of always giving the most frequent answer of the training questions of that kind
 * @param majorityAnswer that answer
 */
public record ToyVlmScore(ToyQuestionType type, int questions, double accuracy, double chance, String majorityAnswer) {}
