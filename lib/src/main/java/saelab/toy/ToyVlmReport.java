package saelab.toy;

import java.nio.file.Path;
import java.util.List;

/**
 * The outcome of training a toy VLM ({@link ToyVlmTrainer#train}); the same numbers, with more detail, are in the
 * model folder's {@code report.json}.
 *
 * @param spec            what was trained
 * @param finalLoss       mean training loss over the last 5% of the steps (at least one step)
 * @param scores          held-out accuracy against chance, one per kind of question, in {@link ToyQuestionType} order
 * @param trainingSeconds wall time of the optimisation loop
 * @param seconds         wall time of the call that trained the model (features, training, evaluation, writing); a call that
 *                        found the model already there returns the stored report
 * @param curveCsv        the training curve (step, loss, lr, questions per second)
 */
public record ToyVlmReport(ToyVlmSpec spec, double finalLoss, List<ToyVlmScore> scores, double trainingSeconds, double seconds, Path curveCsv) {

    public ToyVlmReport {
        scores = List.copyOf(scores);
    }

    /** The score of {@code type}. */
    public ToyVlmScore score(ToyQuestionType type) {
        return scores.stream().filter(s -> s.type() == type).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("toy VLM report: no held-out questions of type " + type.id()));
    }
}
