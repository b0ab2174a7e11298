/**
 * The plan-driven pipeline: the demo on the embedded toy world ({@code saelab demo}: world, backbones, capture, SAEs on
 * patch and CLS tokens, evaluation, feature analysis and concept matching against the world's ground truth
 * ({@link saelab.demo.ToyGroundTruth}), heads and control protocols) and the paper's experiments on real data, as
 * content-addressed steps ({@link saelab.demo.StepRunner}) that are skipped when their inputs and parameters did not
 * change. The steps are written down as plans ({@code data-manifests/plans/}, {@link saelab.plan.Plan}) that
 * {@link saelab.demo.PlanRunner} runs (over model folders of one's own with {@link saelab.demo.PlanRunner#withModelFolders})
 * and {@link saelab.demo.PlanDryRun} checks; every run writes the index {@code demo.json} ({@link saelab.demo.DemoPipeline})
 * that {@link saelab.demo.DemoOutputs} reads.
 *
 * <p>Dependencies point down only: this package uses {@code data}, {@code capture}, {@code model}, {@code sae},
 * {@code store}, {@code analysis}, {@code plot}, {@code manifest}, {@code config}, {@code hub}, {@code plan} and {@code io};
 * only {@code cli} and {@code notebook} use it.
 */
package saelab.demo;
