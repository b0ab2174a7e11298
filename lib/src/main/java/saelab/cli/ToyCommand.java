package saelab.cli;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import saelab.data.ToyWorld;
import saelab.data.ToyWorldWriter;
import saelab.toy.ToyBackboneKind;
import saelab.toy.ToyAttributeProbe;
import saelab.toy.ToyBackboneReport;
import saelab.toy.ToyBackboneSpec;
import saelab.toy.ToyBackboneTrainer;
import saelab.toy.ToyVlmReport;
import saelab.toy.ToyVlmScore;
import saelab.toy.ToyVlmSpec;
import saelab.toy.ToyVlmTrainer;

/** {@code saelab toy ...}: the embedded toy world and the small backbones trained on it. */
@Command(name = "toy", mixinStandardHelpOptions = true,
        description = "The embedded toy world (no downloads), small CLIP / DINOv2 backbones and a small LLaVA-layout VLM trained on it in Java.",
        subcommands = {ToyCommand.World.class, ToyCommand.Backbone.class, ToyCommand.Vlm.class, ToyQuestionsCommand.class,
                ToyExportCommand.class})
final class ToyCommand {

    @Command(name = "world", mixinStandardHelpOptions = true,
            description = "Write toy-world scenes: an image folder by class, the ADE20K layout with masks, captions, and two colour"
                    + " views of the same images (views/colour: ADE20K layout labelled by colour; views/largest_colour: image folder).")
    static final class World implements Callable<Integer> {
        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the world's folder (new, empty, or an earlier world)")
        Path out;

        @Option(names = "--images", defaultValue = "1000", paramLabel = "N", description = "number of scenes (default ${DEFAULT-VALUE})")
        int images;

        @Option(names = "--seed", defaultValue = "0", paramLabel = "S", description = "the world's seed (default ${DEFAULT-VALUE})")
        long seed;

        @Override
        public Integer call() throws IOException {
            ToyWorld world = ToyWorld.withSeed(seed);
            ToyWorldWriter.Outcome outcome = ToyWorldWriter.write(out, world, images);
            System.out.printf(Locale.ROOT, "toy world %s: %s (%d images of %dx%d, seed %d)%n",
                    outcome == ToyWorldWriter.Outcome.WRITTEN ? "written" : "unchanged", out.toAbsolutePath().normalize(), images,
                    world.imageSize(), world.imageSize(), seed);
            return 0;
        }
    }

    @Command(name = "backbone", mixinStandardHelpOptions = true,
            description = {"Train a small CLIP (image-caption contrastive) or DINOv2 (masked patch prediction) on the toy world and save it"
                    + " as a Hugging Face model folder that saelab loads like a downloaded one.",
                    "Scenes [0, train-images) are trained on, the next held-out-images are held out. Rerunning with the same settings"
                            + " and folder does nothing."})
    static final class Backbone implements Callable<Integer> {
        @Option(names = "--kind", required = true, paramLabel = "clip|dinov2", description = "which backbone")
        String kind;

        @Option(names = "--world-seed", required = true, paramLabel = "S", description = "seed of the toy world (64x64 scenes, 1-3 objects)")
        long worldSeed;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model folder (new, empty, or an earlier toy backbone)")
        Path out;

        @Option(names = "--size", defaultValue = "demo", paramLabel = "demo|quick",
                description = "preset: demo (about two minutes per backbone on 2 cores) or quick (seconds; for tests)")
        String size;

        @Option(names = "--steps", paramLabel = "N", description = "optimiser steps (overrides the preset)")
        Integer steps;

        @Option(names = "--batch", paramLabel = "N", description = "images per step")
        Integer batch;

        @Option(names = "--width", paramLabel = "D", description = "model width")
        Integer width;

        @Option(names = "--layers", paramLabel = "N", description = "blocks per tower")
        Integer layers;

        @Option(names = "--heads", paramLabel = "N", description = "attention heads")
        Integer heads;

        @Option(names = "--train-images", paramLabel = "N", description = "training scenes")
        Integer trainImages;

        @Option(names = "--held-out-images", paramLabel = "N", description = "held-out scenes")
        Integer heldOutImages;

        @Option(names = "--lr", paramLabel = "X", description = "peak learning rate")
        Double lr;

        @Option(names = "--seed", paramLabel = "S", description = "training seed (initialisation, batch order, masks)")
        Long seed;

        @Override
        public Integer call() throws IOException {
            ToyBackboneKind k = ToyBackboneKind.parse(kind);
            ToyBackboneSpec base = switch (size.strip().toLowerCase(Locale.ROOT)) {
                case "demo" -> ToyBackboneSpec.demo(k);
                case "quick" -> ToyBackboneSpec.quick(k);
                default -> throw new IllegalArgumentException("--size is '" + size + "'; expected demo or quick");
            };
            ToyBackboneSpec spec = new ToyBackboneSpec(k, or(width, base.width()), or(layers, base.layers()), or(heads, base.heads()),
                    or(trainImages, base.trainImages()), or(heldOutImages, base.heldOutImages()), or(steps, base.steps()),
                    or(batch, base.batch()), lr == null ? base.lr() : lr, seed == null ? base.seed() : seed);
            ToyBackboneReport r = ToyBackboneTrainer.train(spec, ToyWorld.withSeed(worldSeed), out, System.err);
            Path dir = out.toAbsolutePath().normalize();
            System.out.printf(Locale.ROOT, "toy %s model  %s%n", k.id(), dir);
            System.out.printf(Locale.ROOT, "final loss     %.4f (mean over the last 5%% of %d steps)%n", r.finalLoss(), spec.steps());
            System.out.printf(Locale.ROOT, "held-out       %s %.4f (chance %.4f)%n", r.heldOutMetric(), r.heldOut(), r.heldOutChance());
            System.out.printf(Locale.ROOT, "linear probe   CLS %.3f, mean patch %.3f (chance %.3f)%n", r.probeCls(), r.probeMeanPatch(),
                    r.probeChance());
            for (ToyAttributeProbe a : r.attributeProbes()) {
                System.out.printf(Locale.ROOT, "  %-12s CLS %.3f, mean patch %.3f (chance %.3f)%n", a.target(), a.cls(), a.meanPatch(), a.chance());
            }
            System.out.printf(Locale.ROOT, "time           %.1f s%n", r.seconds());
            System.out.printf(Locale.ROOT, "curve          %s%n", r.curveCsv());
            return 0;
        }

        private static int or(Integer value, int fallback) {
            return value == null ? fallback : value;
        }
    }

    @Command(name = "vlm", mixinStandardHelpOptions = true,
            description = {"Train a small LLaVA-layout VLM on toy-world questions (colour of a shape, shape of a colour, how many objects,"
                    + " texture of the largest object, a caption) over the frozen vision tower of a toy CLIP, and save it as a Hugging Face"
                    + " LLaVA folder.",
                    "Questions of scenes [0, train-images) are trained on; the held-out accuracy per question type (against always giving"
                            + " the most frequent answer) is measured on the next held-out-images scenes and written to report.json."
                            + " Rerunning with the same settings, backbone and folder does nothing."})
    static final class Vlm implements Callable<Integer> {
        @Option(names = "--backbone", required = true, paramLabel = "DIR", description = "a toy CLIP folder (saelab toy backbone --kind clip)")
        Path backbone;

        @Option(names = "--out", required = true, paramLabel = "DIR", description = "the model folder (new, empty, or an earlier toy VLM)")
        Path out;

        @Option(names = "--world-seed", defaultValue = "0", paramLabel = "S",
                description = "seed of the toy world the backbone was trained on (default ${DEFAULT-VALUE})")
        long worldSeed;

        @Option(names = "--size", defaultValue = "demo", paramLabel = "demo|quick",
                description = "preset: demo (about 90 s of training on one core) or quick (seconds; for tests)")
        String size;

        @Option(names = "--steps", paramLabel = "N", description = "optimiser steps (overrides the preset)")
        Integer steps;

        @Option(names = "--batch", paramLabel = "N", description = "questions per step")
        Integer batch;

        @Option(names = "--width", paramLabel = "D", description = "decoder width")
        Integer width;

        @Option(names = "--layers", paramLabel = "N", description = "decoder layers")
        Integer layers;

        @Option(names = "--heads", paramLabel = "N", description = "query heads")
        Integer heads;

        @Option(names = "--kv-heads", paramLabel = "N", description = "key/value heads")
        Integer kvHeads;

        @Option(names = "--train-images", paramLabel = "N", description = "training scenes")
        Integer trainImages;

        @Option(names = "--held-out-images", paramLabel = "N", description = "held-out scenes")
        Integer heldOutImages;

        @Option(names = "--lr", paramLabel = "X", description = "peak learning rate")
        Double lr;

        @Option(names = "--seed", paramLabel = "S", description = "seed of the questions, the initialisation and the batch order")
        Long seed;

        @Option(names = "--texture-repeat", paramLabel = "N", description = "times each texture question stands in the training pool")
        Integer textureRepeat;

        @Override
        public Integer call() throws IOException {
            ToyVlmSpec base = switch (size.strip().toLowerCase(Locale.ROOT)) {
                case "demo" -> ToyVlmSpec.demo();
                case "quick" -> ToyVlmSpec.quick();
                default -> throw new IllegalArgumentException("--size is '" + size + "'; expected demo or quick");
            };
            ToyVlmSpec spec = new ToyVlmSpec(Backbone.or(width, base.width()), Backbone.or(layers, base.layers()),
                    Backbone.or(heads, base.heads()), Backbone.or(kvHeads, base.kvHeads()), Backbone.or(trainImages, base.trainImages()),
                    Backbone.or(heldOutImages, base.heldOutImages()), Backbone.or(steps, base.steps()), Backbone.or(batch, base.batch()),
                    lr == null ? base.lr() : lr, seed == null ? base.seed() : seed, Backbone.or(textureRepeat, base.textureRepeat()));
            ToyVlmReport r = ToyVlmTrainer.train(spec, ToyWorld.withSeed(worldSeed), backbone, out, System.err);
            System.out.printf(Locale.ROOT, "toy vlm model   %s%n", out.toAbsolutePath().normalize());
            System.out.printf(Locale.ROOT, "final loss      %.4f (mean over the last 5%% of %d steps)%n", r.finalLoss(), spec.steps());
            System.out.printf(Locale.ROOT, "held-out accuracy (greedy; chance = the most frequent training answer):%n");
            for (ToyVlmScore s : r.scores()) {
                System.out.printf(Locale.ROOT, "  %-20s %.3f (chance %.3f, %d questions)%n", s.type().id(), s.accuracy(), s.chance(),
                        s.questions());
            }
            System.out.printf(Locale.ROOT, "time            %.1f s (training %.1f s)%n", r.seconds(), r.trainingSeconds());
            System.out.printf(Locale.ROOT, "curve           %s%n", r.curveCsv());
            return 0;
        }
    }
}
