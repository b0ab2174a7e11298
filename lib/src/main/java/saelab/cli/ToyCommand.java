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

/** {@code saelab toy ...}: the embedded toy world and the small backbones trained on it. */
@Command(name = "toy", mixinStandardHelpOptions = true,
        description = "The embedded toy world (no downloads) and small CLIP / DINOv2 backbones trained on it in Java.",
        subcommands = {ToyCommand.World.class, ToyCommand.Backbone.class})
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
}
