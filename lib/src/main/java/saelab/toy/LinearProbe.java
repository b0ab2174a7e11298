package saelab.toy;

import java.util.HashMap;
import java.util.Map;
import smile.classification.LogisticRegression;

/**
 * A linear probe: multinomial logistic regression (Smile's {@link LogisticRegression}, L-BFGS with an L2
 * penalty) on frozen features, standardised with the training split's mean and standard deviation, trained on
 * one split and scored on another; the usual read-out of what a frozen representation holds (Alain and Bengio,
 * "Understanding intermediate layers using linear classifier probes", 2016). The baseline is the accuracy of
 * always answering the training split's majority class.
 */
final class LinearProbe {

    /** L2 penalty weight of Smile's objective (negative log-likelihood summed over samples, plus lambda/2 |w|^2). */
    static final double LAMBDA = 0.1;
    /** L-BFGS convergence tolerance. */
    static final double TOL = 1e-5;
    /** L-BFGS iteration cap. */
    static final int MAX_ITER = 500;

    /**
     * Held-out accuracies.
     *
     * @param accuracy the probe's accuracy on the test split
     * @param chance   the test-split accuracy of answering the training split's majority class
     */
    record Result(double accuracy, double chance) {}

    private LinearProbe() {}

    /**
     * Trains on {@code trainX [n][d]} with labels {@code trainY} and scores on {@code testX}, {@code testY}.
     *
     * @throws IllegalArgumentException for empty splits, ragged rows or mismatched lengths
     */
    static Result fitAndScore(double[][] trainX, int[] trainY, double[][] testX, int[] testY) {
        if (trainX.length == 0 || testX.length == 0 || trainX.length != trainY.length || testX.length != testY.length) {
            throw new IllegalArgumentException("linear probe: expected non-empty splits with one label per row, got " + trainX.length + " x "
                    + trainY.length + " training and " + testX.length + " x " + testY.length + " test rows");
        }
        int d = trainX[0].length;
        double[] mean = new double[d];
        double[] std = new double[d];
        for (double[] row : trainX) {
            if (row.length != d) {
                throw new IllegalArgumentException("linear probe: training rows have " + d + " and " + row.length + " features");
            }
            for (int j = 0; j < d; j++) {
                mean[j] += row[j];
            }
        }
        for (int j = 0; j < d; j++) {
            mean[j] /= trainX.length;
        }
        for (double[] row : trainX) {
            for (int j = 0; j < d; j++) {
                std[j] += (row[j] - mean[j]) * (row[j] - mean[j]);
            }
        }
        for (int j = 0; j < d; j++) {
            std[j] = Math.sqrt(std[j] / trainX.length);
            if (!(std[j] > 1e-12)) {
                std[j] = 1; // a constant feature carries nothing; leave it centred
            }
        }
        double[][] xs = standardise(trainX, mean, std);
        double[][] ts = standardise(testX, mean, std);
        int majority = majority(trainY);
        int hits = 0;
        int chanceHits = 0;
        if (distinct(trainY) < 2) {
            for (int y : testY) {
                hits += y == majority ? 1 : 0;
            }
            return new Result((double) hits / testY.length, (double) hits / testY.length);
        }
        LogisticRegression model = LogisticRegression.fit(xs, trainY, new LogisticRegression.Options(LAMBDA, TOL, MAX_ITER));
        int[] predicted = model.predict(ts);
        for (int i = 0; i < testY.length; i++) {
            hits += predicted[i] == testY[i] ? 1 : 0;
            chanceHits += testY[i] == majority ? 1 : 0;
        }
        return new Result((double) hits / testY.length, (double) chanceHits / testY.length);
    }

    private static double[][] standardise(double[][] x, double[] mean, double[] std) {
        double[][] out = new double[x.length][];
        for (int i = 0; i < x.length; i++) {
            if (x[i].length != mean.length) {
                throw new IllegalArgumentException("linear probe: a row has " + x[i].length + " features, expected " + mean.length);
            }
            out[i] = new double[mean.length];
            for (int j = 0; j < mean.length; j++) {
                out[i][j] = (x[i][j] - mean[j]) / std[j];
            }
        }
        return out;
    }

    /** The most frequent label; ties go to the smallest. */
    static int majority(int[] y) {
        Map<Integer, Integer> counts = new HashMap<>();
        for (int v : y) {
            counts.merge(v, 1, Integer::sum);
        }
        int best = Integer.MAX_VALUE;
        int bestCount = -1;
        for (Map.Entry<Integer, Integer> e : counts.entrySet()) {
            if (e.getValue() > bestCount || (e.getValue() == bestCount && e.getKey() < best)) {
                best = e.getKey();
                bestCount = e.getValue();
            }
        }
        return best;
    }

    private static long distinct(int[] y) {
        return java.util.Arrays.stream(y).distinct().count();
    }
}
