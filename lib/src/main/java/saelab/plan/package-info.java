/**
 * Plan files ({@code data-manifests/plans/<name>.json}): a pipeline written down as data, with its sources (the toy
 * world, datasets under the data root, models by folder, by hub id at a pinned revision, or toy backbones) and its
 * steps (kind, id, inputs by reference, parameters). {@link saelab.plan.PlanReader} reads one strictly against the
 * step kinds a runner declares ({@link saelab.plan.StepKind}); every mistake is one sentence naming the file and the
 * JSON path of the field. Running a plan is the runner's business ({@code saelab.demo.PlanRunner}).
 *
 * <p>Dependencies point down only: this package uses {@code io}, {@code data} (the toy world's config, the dataset
 * layouts) and {@code toy} (the toy backbones' spec); {@code demo} and {@code cli} use it.
 */
package saelab.plan;
