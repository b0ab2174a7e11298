/**
 * The statistics and control selection of the quantitative intervention protocol, as small pure functions with
 * explicit seeds: cluster-bootstrap intervals with the image as the unit of resampling ({@link
 * saelab.intervene.stats.ClusterBootstrap}), paired tests of a real edit against a control on the same images
 * ({@link saelab.intervene.stats.SignFlipTest}, {@link saelab.intervene.stats.WilcoxonSignedRank}, {@link
 * saelab.intervene.stats.HolmBonferroni}), the three controls (a latent matched on firing frequency, a random
 * direction of the edit's per-token norm, the supervised class-mean-difference direction), the dose grid, and the
 * effect measures (segmentation change rates and ΔIoU, classification Δp, top-1 flips and transitions). Uses the
 * store and analysis packages only; the protocol runner composes these.
 */
package saelab.intervene.stats;
