package saelab.demo;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import saelab.data.Datasets;
import saelab.hub.HubClient;
import saelab.hub.HubException;
import saelab.hub.HubSettings;
import saelab.io.ConfinedPaths;
import saelab.manifest.DataRoot;
import saelab.plan.Plan;
import saelab.plan.PlanSource;
import saelab.plan.PlanStep;
import saelab.toy.ToyBackboneSpec;

/**
 * What {@code saelab run PLAN --dry-run} reports, without building anything or taking the work folder's lock: for
 * every step its kind, id and inputs; whether the runner can build it yet (and why not); the data and weights it reads
 * and whether each is present (a dataset is opened by its reader, {@link Datasets#open}, which checks the layout's
 * files; a model folder must hold {@code config.json}; a hub model must have a pinned revision and be in the hub cache,
 * looked up offline); whether its output exists with its current key (the run would skip it); and an estimate of the
 * disk its output takes.
 *
 * <p>Estimates: a capture stores float16 CLS and patch tokens, {@code images × tokens × width × 2} bytes (images from the
 * toy-world source or the {@code images} a dataset source declares; tokens and width from the toy backbone's spec, with
 * the toy backbones' fixed 8-pixel patch, or from the {@code tokens} and {@code d_model} a model source declares); an
 * SAE checkpoint is float32 {@code W_enc}, {@code W_dec}, {@code b_enc}, {@code b_dec}: {@code (2 × d_sae × d_model + d_sae
 * + d_model) × 4} bytes, {@code d_sae = expansion × d_model}. Other steps write far less and are not estimated.
 */
public final class PlanDryRun {

    /** The patch side of every toy backbone ({@code saelab.toy.ToyArchitecture.PATCH}, fixed by its generator). */
    static final int TOY_PATCH = 8;
    private static final int F16 = 2;
    private static final int F32 = 4;

    /**
     * One thing a step reads from outside the work folder.
     *
     * @param what    what it is (source name and type)
     * @param present whether it is there
     * @param detail  where it was found, or what is missing and how to provide it
     */
    public record Need(String what, boolean present, String detail) {}

    /**
     * One step's report.
     *
     * @param step     the plan step
     * @param blocker  why the runner cannot build it yet, or null when it can
     * @param needs    the sources it reads
     * @param key      its content key, or null when unknown (not runnable, or a model folder it depends on is missing)
     * @param cached   whether its output exists with that key (the run would skip it)
     * @param dir      its output folder (null when the key is unknown)
     * @param bytes    the estimated size of its output, or -1 when not estimated
     * @param estimate how {@code bytes} was estimated, or why it was not
     */
    public record StepReport(PlanStep step, String blocker, List<Need> needs, String key, boolean cached, Path dir, long bytes,
                             String estimate) {}

    /**
     * The whole report.
     *
     * @param plan     the plan
     * @param work     the work folder
     * @param dataRoot the data root, or null when none is set
     * @param steps    one report per step, in run order
     */
    public record Report(Plan plan, Path work, Path dataRoot, List<StepReport> steps) {

        /** Whether every step can run and everything it reads is present. */
        public boolean ready() {
            return steps.stream().allMatch(s -> s.blocker() == null && s.needs().stream().allMatch(Need::present));
        }

        /** The report as printed. */
        public String describe() {
            StringBuilder sb = new StringBuilder();
            sb.append(String.format(Locale.ROOT, "plan %s (%s): %d steps; work folder %s; data root %s%n", plan.name(), plan.file(),
                    steps.size(), work, dataRoot == null ? "not set (" + DataRoot.VAR + " or data_root in ~/.config/saelab/config.json)"
                            : dataRoot));
            int i = 0;
            long total = 0;
            long all = 0;
            int cached = 0;
            int blocked = 0;
            int missing = 0;
            for (StepReport s : steps) {
                i++;
                List<String> ins = new ArrayList<>();
                s.step().inputs().forEach((role, ref) -> ins.add(role + "=" + ref + (plan.isStep(ref) ? "" : " (source)")));
                sb.append(String.format(Locale.ROOT, "[%d/%d] %-11s %s  inputs: %s%n", i, steps.size(), s.step().kind(), s.step().id(),
                        String.join(", ", ins)));
                if (s.blocker() != null) {
                    sb.append("      not yet runnable: ").append(s.blocker()).append('\n');
                    blocked++;
                }
                for (Need n : s.needs()) {
                    sb.append("      needs ").append(n.what()).append(": ").append(n.present() ? "present, " : "MISSING: ")
                            .append(n.detail()).append('\n');
                    missing += n.present() ? 0 : 1;
                }
                if (s.key() != null) {
                    sb.append("      cache: ").append(s.cached() ? "output exists, would be skipped: " : "would be built into ")
                            .append(work.relativize(s.dir())).append('\n');
                    cached += s.cached() ? 1 : 0;
                } else if (s.blocker() == null) {
                    sb.append("      cache: unknown until what it reads is present\n");
                }
                if (s.bytes() >= 0) {
                    sb.append("      disk: about ").append(human(s.bytes())).append(" = ").append(s.estimate()).append('\n');
                    total += s.cached() ? 0 : s.bytes();
                    all += s.bytes();
                } else if (s.estimate() != null) {
                    sb.append("      disk: ").append(s.estimate()).append('\n');
                }
            }
            sb.append(String.format(Locale.ROOT, "dry run: %d steps, %d would be skipped, %d not yet runnable, %d missing input(s);"
                    + " estimated disk of the captures and SAEs: %s in all, %s still to write%n", steps.size(), cached, blocked, missing,
                    human(all), human(total)));
            sb.append(ready() ? "ready: every step can run and everything it reads is present\n"
                    : "not ready: see the MISSING and not-yet-runnable lines above\n");
            return sb.toString();
        }
    }

    private PlanDryRun() {}

    /**
     * Builds the report.
     *
     * @param dataRoot the data root, or null when none is set
     * @param hub      hub settings for the cache lookups (used offline), or null to skip them
     */
    public static Report of(Plan plan, Path work, Set<String> force, Path dataRoot, HubSettings hub) throws IOException {
        PlanRunner.checkForce(plan, force);
        Path w = work.toAbsolutePath().normalize();
        Map<String, String> blocked = PlanSteps.blockers(plan);
        PlanSteps builder = new PlanSteps(plan, dataRoot);
        Map<String, StepOutcome> planned = new LinkedHashMap<>();
        Map<String, Need> needs = new LinkedHashMap<>();
        List<StepReport> out = new ArrayList<>();
        for (PlanStep s : plan.steps()) {
            List<Need> mine = new ArrayList<>();
            boolean inputsPresent = true;
            for (String ref : s.inputs().values()) {
                PlanSource src = plan.sources().get(ref);
                if (src != null) {
                    Need n = needs.computeIfAbsent(ref, r -> need(src, dataRoot, hub));
                    if (n.present() && !planned.containsKey(ref) && PlanSteps.direct(plan, s).contains(src)) {
                        n = plan(builder, src, n, w, force, planned);
                        needs.put(ref, n);
                    }
                    mine.add(n);
                    inputsPresent &= n.present();
                } else if (!planned.containsKey(ref)) {
                    inputsPresent = false;
                }
            }
            String key = null;
            boolean cached = false;
            Path dir = null;
            if (!blocked.containsKey(s.id()) && inputsPresent) {
                Step step = builder.step(s, planned);
                key = step.key();
                dir = StepRunner.folder(w, s.id(), key);
                boolean forced = StepRunner.matches(force, s.id())
                        || step.inputs().stream().anyMatch(i -> i.status() == StepOutcome.Status.FORCED);
                cached = !forced && StepRunner.hasOutput(dir, key);
                planned.put(s.id(), new StepOutcome(s.id(), key, dir, forced ? StepOutcome.Status.FORCED
                        : cached ? StepOutcome.Status.SKIPPED : StepOutcome.Status.BUILT, 0, Map.of()));
            }
            long[] bytes = {-1};
            String estimate = estimate(plan, s, bytes);
            out.add(new StepReport(s, blocked.get(s.id()), List.copyOf(mine), key, cached, dir, bytes[0], estimate));
        }
        return new Report(plan, w, dataRoot, out);
    }

    /**
     * Plans the source step of a present source ({@link SourceStep}: lists the dataset, hashes the model folder or finds the
     * hub snapshot) into {@code planned}; a source its step cannot read becomes a missing need with the reason.
     */
    private static Need plan(PlanSteps builder, PlanSource src, Need n, Path work, Set<String> force, Map<String, StepOutcome> planned)
            throws IOException {
        Step step;
        try {
            step = builder.sourceStep(src);
        } catch (IllegalArgumentException e) {
            return new Need(n.what(), false, e.getMessage());
        }
        String key = step.key();
        Path dir = StepRunner.folder(work, step.name(), key);
        boolean forced = StepRunner.matches(force, step.name());
        boolean cached = !forced && StepRunner.hasOutput(dir, key);
        planned.put(src.name(), new StepOutcome(step.name(), key, dir, forced ? StepOutcome.Status.FORCED
                : cached ? StepOutcome.Status.SKIPPED : StepOutcome.Status.BUILT, 0, Map.of()));
        return n;
    }

    // ---- what a source needs ----

    private static Need need(PlanSource src, Path dataRoot, HubSettings hub) {
        String what = "source '" + src.name() + "' (" + src.type() + ")";
        return switch (src) {
            case PlanSource.ToyWorldSource t -> new Need(what, true, "generated by its world step, nothing to download ("
                    + t.images() + " scenes of " + t.world().imageSize() + "x" + t.world().imageSize() + ")");
            case PlanSource.DatasetSource d -> dataset(what, d, dataRoot);
            case PlanSource.ModelSource m -> model(what, m, dataRoot, hub);
        };
    }

    private static Need dataset(String what, PlanSource.DatasetSource d, Path dataRoot) {
        String layout = "the " + d.layout() + " layout (" + LAYOUTS.getOrDefault(d.layout(), "see saelab dataset") + ")"
                + (d.split() == null ? "" : ", split " + d.split());
        if (dataRoot == null) {
            return new Need(what, false, "no data root is set; set " + DataRoot.VAR + " (or data_root in"
                    + " ~/.config/saelab/config.json) to a folder holding " + d.path() + "/ in " + layout);
        }
        Path folder = ConfinedPaths.resolveLexically(dataRoot, d.path(), "source " + d.name(), "path");
        if (!Files.isDirectory(folder)) {
            return new Need(what, false, folder + " does not exist; put " + layout + " there");
        }
        try {
            Datasets.open(d.spec(folder), d.split());
            return new Need(what, true, d.layout() + " at " + folder);
        } catch (IllegalArgumentException e) {
            return new Need(what, false, e.getMessage() + "; expected " + layout);
        }
    }

    /** What each layout's reader expects in its folder, for the messages (as the readers in saelab.data document it). */
    private static final Map<String, String> LAYOUTS = Map.of(
            "imagenet", "ImageNet-1K: ILSVRC/Data/CLS-LOC/{train,val}/ with LOC_val_solution.csv and LOC_synset_mapping.txt"
                    + " (Kaggle), or train/<wnid>/, val/ with the devkit's ground truth and meta.mat",
            "inat2021", "iNat2021: train_mini.json, train.json or val.json beside the image trees train_mini/, train/, val/",
            "ade20k", "ADEChallengeData2016/images/{training,validation}/*.jpg and annotations/{training,validation}/*.png",
            "cub200", "CUB_200_2011/ with images/, images.txt, image_class_labels.txt, train_test_split.txt, classes.txt",
            "folder", "an image folder, one subfolder per class");

    private static Need model(String what, PlanSource.ModelSource m, Path dataRoot, HubSettings hub) {
        if (m.toy() != null) {
            return new Need(what, true, "a toy " + m.toy().kind().id() + " backbone, trained by its backbone step, nothing to download");
        }
        if (m.folder() != null) {
            if (dataRoot == null) {
                return new Need(what, false, "no data root is set; set " + DataRoot.VAR + " to a folder holding the model folder "
                        + m.folder() + "/ (config.json, weights, preprocessor_config.json)");
            }
            Path folder = ConfinedPaths.resolveLexically(dataRoot, m.folder(), "source " + m.name(), "folder");
            if (!Files.isRegularFile(folder.resolve("config.json")) && !Files.isRegularFile(folder.resolve("open_clip_config.json"))) {
                return new Need(what, false, folder + " has no config.json (nor open_clip_config.json); expected a Hugging Face"
                        + " (or open_clip) model folder there");
            }
            return new Need(what, true, "model folder " + folder);
        }
        if (m.revision() == null) {
            return new Need(what, false, "hub model " + m.hub() + " has no pinned revision: look up its commit (saelab hub files "
                    + m.hub() + "), write it as \"revision\" in the plan, then run saelab hub download " + m.hub() + "@COMMIT");
        }
        if (hub == null) {
            return new Need(what, false, "hub model " + m.hub() + "@" + m.revision() + " not looked up; run saelab hub download "
                    + m.hub() + "@" + m.revision());
        }
        try (HubClient c = new HubClient(hub.toBuilder().offline(true).build())) {
            Path snap = c.snapshot(m.hub(), m.revision());
            return new Need(what, true, "hub model " + m.hub() + "@" + m.revision() + " in the cache at " + snap);
        } catch (HubException e) {
            return new Need(what, false, "hub model " + m.hub() + "@" + m.revision() + " is not in the hub cache; run saelab hub"
                    + " download " + m.hub() + "@" + m.revision());
        } catch (IOException | RuntimeException e) {
            return new Need(what, false, "hub model " + m.hub() + "@" + m.revision() + " could not be looked up in the hub cache ("
                    + e.getMessage() + "); run saelab hub download " + m.hub() + "@" + m.revision());
        }
    }

    // ---- disk estimates ----

    private static String estimate(Plan plan, PlanStep s, long[] bytes) {
        return switch (s.kind()) {
            case "capture" -> {
                long images = images(plan, s, "dataset");
                int[] shape = shape(plan, plan.stepOf(s, "model") != null ? plan.stepOf(s, "model") : s, "model");
                if (images < 0 || shape == null) {
                    yield "not estimated: " + (images < 0 ? "the dataset source declares no 'images'" : "the model's width and tokens"
                            + " are unknown (declare d_model and tokens on its source)");
                }
                bytes[0] = images * shape[1] * shape[0] * F16;
                yield String.format(Locale.ROOT, "%,d images x %d tokens x %d wide x %d bytes (f16)", images, shape[1], shape[0], F16);
            }
            case "sae" -> {
                PlanStep capture = plan.stepOf(s, "capture");
                PlanStep model = plan.stepOf(capture, "model");
                int[] shape = shape(plan, model != null ? model : capture, "model");
                if (shape == null) {
                    yield "not estimated: the model's width is unknown (declare d_model on its source)";
                }
                long d = shape[0];
                long f = d * s.params(PlanKinds.SaeParams.class).recipe().expansion();
                bytes[0] = (2 * d * f + d + f) * F32;
                yield String.format(Locale.ROOT, "(2 x %,d latents x %d + %,d + %d) parameters x %d bytes (f32)", f, d, f, d, F32);
            }
            default -> null;
        };
    }

    /** The images a step's role reads: the toy world's scenes or the dataset's declared count; -1 when unknown. */
    private static long images(Plan plan, PlanStep s, String role) {
        PlanSource src = plan.sourceOf(s, role);
        if (src == null) {
            PlanStep world = plan.stepOf(s, role);
            src = world == null ? null : plan.sourceOf(world, "world");
        }
        return switch (src) {
            case PlanSource.ToyWorldSource t -> t.images();
            case PlanSource.DatasetSource d -> d.images() == null ? -1 : d.images();
            case null, default -> -1;
        };
    }

    /** {width, tokens per image (CLS + patches)} of the model a step's role reads, or null when unknown. */
    private static int[] shape(Plan plan, PlanStep s, String role) {
        PlanSource src = plan.sourceOf(s, role);
        if (src instanceof PlanSource.ModelSource m) {
            if (m.toy() != null) {
                ToyBackboneSpec t = m.toy();
                int side = toyImageSize(plan, s) / TOY_PATCH;
                return new int[] {t.width(), side * side + 1};
            }
            return m.dModel() == null || m.tokens() == null ? null : new int[] {m.dModel(), m.tokens()};
        }
        return null;
    }

    private static int toyImageSize(Plan plan, PlanStep backbone) {
        return plan.sourceOf(backbone, "world") instanceof PlanSource.ToyWorldSource w ? w.world().imageSize() : 0;
    }

    private static String human(long bytes) {
        Function<Double, String> f = v -> String.format(Locale.ROOT, "%.1f", v);
        if (bytes >= 1L << 30) {
            return f.apply(bytes / (double) (1L << 30)) + " GiB";
        }
        if (bytes >= 1L << 20) {
            return f.apply(bytes / (double) (1L << 20)) + " MiB";
        }
        return f.apply(bytes / 1024.0) + " KiB";
    }
}
