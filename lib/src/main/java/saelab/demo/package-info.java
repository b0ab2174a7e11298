/**
 * The demo pipeline on the embedded toy world ({@link saelab.demo.DemoPipeline}, {@code saelab demo}): world,
 * backbones, capture, SAEs on patch and CLS tokens, evaluation, feature analysis and concept matching against the
 * world's ground truth ({@link saelab.demo.ToyGroundTruth}), as content-addressed steps ({@link saelab.demo.StepRunner})
 * that are skipped when their inputs and parameters did not change.
 *
 * <p>Dependencies point down only: this package uses {@code data}, {@code capture}, {@code model}, {@code sae},
 * {@code store}, {@code analysis}, {@code plot}, {@code manifest}, {@code config} and {@code io}; only {@code cli}
 * uses it.
 */
package saelab.demo;
