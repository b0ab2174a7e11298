package saelab.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import saelab.data.ToyWorld;
import saelab.toy.ToyAttributeProbe;
import saelab.toy.ToyBackboneReport;
import saelab.toy.ToyBackboneKind;
import saelab.toy.ToyBackboneSpec;
import saelab.toy.ToyBackboneTrainer;

/**
 * A demo backbone trained on the toy world by {@link ToyBackboneTrainer} (the CLIP-layout contrastive model or the
 * DINOv2-layout masked-patch model). Its step summary records the final loss, the held-out check and the linear
 * probes (the image class, and the largest object's colour, shape and texture), each with its chance level.
 *
 * @param id   the backbone's id in step names ({@code clip}, {@code dinov2}, {@code clip-concept}, ...); not part of any
 *             key, which depends only on what is trained
 * @param spec what to train
 */
public record ToyBackbone(String id, ToyBackboneSpec spec) implements BackboneProvider {

    public ToyBackbone {
        java.util.Objects.requireNonNull(id, "id");
        java.util.Objects.requireNonNull(spec, "spec");
    }

    /** The backbone of {@code spec}, named by its kind ({@code clip} or {@code dinov2}). */
    public ToyBackbone(ToyBackboneSpec spec) {
        this(spec.kind().id(), spec);
    }

    @Override
    public boolean hasTextTower() {
        return spec.kind() == ToyBackboneKind.CLIP;
    }

    @Override
    public boolean hostsToyVlm() {
        return spec.kind() == ToyBackboneKind.CLIP;
    }

    @Override
    public Map<String, Object> params() {
        Map<String, Object> p = new LinkedHashMap<>();
        p.put("trainer", ToyBackboneTrainer.GENERATOR);
        p.put("spec", spec.toJson());
        return p;
    }

    @Override
    public Map<String, Object> build(ToyWorld world, Path outDir, PrintStream log) throws IOException {
        ToyBackboneReport r = ToyBackboneTrainer.train(spec, world, outDir, log);
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("final_loss", r.finalLoss());
        s.put("held_out_metric", r.heldOutMetric());
        s.put("held_out", r.heldOut());
        s.put("held_out_chance", r.heldOutChance());
        s.put("probe_cls", r.probeCls());
        s.put("probe_mean_patch", r.probeMeanPatch());
        s.put("probe_chance", r.probeChance());
        for (ToyAttributeProbe a : r.attributeProbes()) {
            s.put("probe_" + a.target() + "_cls", a.cls());
            s.put("probe_" + a.target() + "_mean_patch", a.meanPatch());
            s.put("probe_" + a.target() + "_chance", a.chance());
        }
        s.put("seconds", r.seconds());
        return s;
    }
}
