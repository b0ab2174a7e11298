package saelab.cli;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import saelab.heads.ClassificationHead;
import saelab.heads.HeadKind;
import saelab.heads.HeadProvenance;
import saelab.heads.LinearHead;
import saelab.heads.SegmentationHead;
import saelab.heads.TaskHead;
import saelab.heads.ZeroShotHead;
import saelab.image.ImageDecoder;
import saelab.image.Preprocessor;
import saelab.image.RgbImage;
import saelab.intervene.EditSpec;
import saelab.intervene.ImageIntervention;
import saelab.intervene.InterventionOutputs;
import saelab.intervene.InterventionResult;
import saelab.intervene.SpliceForm;
import saelab.io.Sha256;
import saelab.model.LoadOptions;
import saelab.model.LoadedModel;
import saelab.model.ModelLoader;
import saelab.plot.InterventionFigure;
import saelab.plot.ModelView;
import saelab.sae.Sae;
import saelab.sae.SaeCheckpoint;
import saelab.store.CacheManifest;

/** {@code saelab intervene}: one SAE feature edit of one image, the task head's prediction before and after, and a figure. */
@Command(name = "intervene", mixinStandardHelpOptions = true,
        description = {"Edits SAE latents at one block of a model on one image (the edit as JSON: block, tokens, latents, operation"
                + " set/scale/add/ablate, unit, error policy), runs the rest of the model and a task head, and writes result.json,"
                + " delta_norms.npy (per-token norm of the residual change), mask_before/after.npy for a segmentation head and the"
                + " figure intervene.png/pdf/csv into the output folder."})
final class InterveneCommand implements Callable<Integer> {

    /** The prefix of a saved zero-shot head in {@code --head}. */
    static final String ZEROSHOT = "zeroshot:";

    @Mixin
    ModelOptions model;

    @Mixin
    SaeFileOption sae;

    @Option(names = "--head", required = true, paramLabel = "FILE|zeroshot:FILE",
            description = "a head file from 'saelab head train' (segment or classify), or zeroshot:FILE from 'saelab head zeroshot'")
    String head;

    @Option(names = "--image", required = true, description = "the image file (PNG, JPEG, ...)")
    Path image;

    @Option(names = "--edit", required = true, paramLabel = "EDIT.json", description = "the edit spec (JSON)")
    Path edit;

    @Mixin
    OutputFolderOption out;

    @Option(names = "--form", defaultValue = "delta", paramLabel = "delta|full",
            description = "the splice: delta (x + Σ (v − f) W_dec, the fast exact form) or full (encode, overwrite, decode, add the"
                    + " error; the reference) (default ${DEFAULT-VALUE})")
    String form;

    @Option(names = "--top", defaultValue = "5", description = "classes listed and drawn before and after, image heads (default ${DEFAULT-VALUE})")
    int top;

    @Mixin
    DeviceOption device;

    @Override
    public Integer call() throws Exception {
        SpliceForm splice = switch (form.strip().toLowerCase(Locale.ROOT)) {
            case "delta" -> SpliceForm.DELTA;
            case "full" -> SpliceForm.FULL;
            default -> throw new IllegalArgumentException("--form is '" + form + "'; expected delta or full");
        };
        if (top < 1) {
            throw new IllegalArgumentException("--top is " + top + "; expected at least 1");
        }
        Path dir = out.folder();
        Path saeFile = sae.file();
        EditSpec spec = EditSpec.read(edit);
        int block = spec.resolveBlock(saeFile);
        boolean zeroShot = head.startsWith(ZEROSHOT);
        Path headFile = CliPaths.requireFile(Path.of(zeroShot ? head.substring(ZEROSHOT.length()) : head),
                zeroShot ? "a zero-shot head file (saelab head zeroshot)" : "a head file (saelab head train)");
        ZeroShotHead zs = zeroShot ? ZeroShotHead.load(headFile) : null;
        LinearHead linear = zeroShot ? null : LinearHead.load(headFile);
        Path folder = model.folder();
        CacheManifest.ModelRef ref = HeadProvenance.modelOf(model.model, folder);
        (zeroShot ? zs.provenance() : linear.provenance()).requireModel(ref, headFile, "the model " + model.model);
        RgbImage rgb = ImageDecoder.decode(image);
        Preprocessor pre = Preprocessor.load(folder);
        Device dev = device.device();
        try (LoadedModel m = ModelLoader.load(folder, new LoadOptions(dev, DataType.FLOAT32, null));
             NDManager nd = NDManager.newBaseManager(dev)) {
            TaskHead task = zeroShot ? zs : linear.provenance().kind() == HeadKind.SEGMENT ? SegmentationHead.of(linear, m.vision())
                    : ClassificationHead.of(linear);
            Sae s = SaeCheckpoint.read(saeFile, nd);
            InterventionResult r;
            try (ImageIntervention iv = ImageIntervention.open(m.vision(), pre, s, block, task, rgb, null, dev)) {
                r = iv.apply(spec, splice);
            }
            String title = String.format(Locale.ROOT, "%s, block %d, latents %s: %s%s", image.getFileName(), block, spec.latents(),
                    spec.operation().id(), spec.value() == null ? "" : " " + spec.value() + (spec.unit().id().equals("max") ? " × max" : ""));
            List<Path> figures = new InterventionFigure(ModelView.of(pre, rgb), r, title, top).write(dir, "intervene");
            InterventionOutputs.Sources src = new InterventionOutputs.Sources(model.model, ref.weightsSha256(), saeFile.toString(),
                    Sha256.of(saeFile), head, Sha256.of(headFile));
            InterventionOutputs.write(dir, r, src, top, figures.stream().map(p -> p.getFileName().toString()).toList());
            if (r.before().mask() != null) {
                System.out.printf(Locale.ROOT, "segmentation: %d of %d patches changed class; max ||dx|| %.4g over %d edited tokens%n",
                        r.changedPatches(), r.before().mask().length, r.maxDeltaNorm(), r.editedTokens());
            } else {
                int b = r.before().top();
                int a = r.after().top();
                System.out.printf(Locale.ROOT, "%s: top-1 %s %.4f -> %s %.4f (p of the clean top-1 after: %.4f); max ||dx|| %.4g over %d edited"
                                + " tokens%n", task.kind().id(), task.classes().get(b), r.before().probability(b), task.classes().get(a),
                        r.after().probability(a), r.after().probability(b), r.maxDeltaNorm(), r.editedTokens());
            }
            System.out.println("wrote " + dir.resolve("result.json"));
        }
        return 0;
    }
}
