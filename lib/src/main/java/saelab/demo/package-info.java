/**
 * The demo pipeline on the embedded toy world ({@link saelab.demo.DemoPipeline}, {@code saelab demo}): world,
 * backbones, capture, SAEs on patch and CLS tokens, evaluation, feature analysis and concept matching against the
 * world's ground truth ({@link saelab.demo.ToyGroundTruth}), as content-addressed steps ({@link saelab.demo.StepRunner})
 * that are skipped when their inputs and parameters did not change. The steps are written down as plans
 * ({@code data-manifests/plans/}, {@link saelab.plan.Plan}) that {@link saelab.demo.PlanRunner} runs and
 * {@link saelab.demo.PlanDryRun} checks; {@link saelab.demo.DemoPipeline} keeps the same steps as a hard-wired list for
 * model folders given on the command line.
 *
 * <p>Dependencies point down only: this package uses {@code data}, {@code capture}, {@code model}, {@code sae},
 * {@code store}, {@code analysis}, {@code plot}, {@code manifest}, {@code config}, {@code hub}, {@code plan} and {@code io};
 * only {@code cli} and {@code notebook} use it.
 */
package saelab.demo;
