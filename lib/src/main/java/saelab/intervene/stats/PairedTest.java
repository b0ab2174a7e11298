package saelab.intervene.stats;

/**
 * The result of a paired test of a real edit against a control on the same images.
 *
 * @param statistic the observed statistic (see the test that made it)
 * @param pValue    the two-sided p-value
 * @param n         the pairs that entered the test (for the Wilcoxon test: the non-zero differences)
 * @param exact     whether the p-value enumerates every sign pattern (false: Monte-Carlo)
 * @param draws     the random sign patterns drawn (0 when exact)
 */
public record PairedTest(double statistic, double pValue, int n, boolean exact, int draws) {}
