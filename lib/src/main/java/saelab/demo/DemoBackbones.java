package saelab.demo;

import java.util.List;

/**
 * The backbones {@code saelab demo} uses when none are named on the command line: the small CLIP-layout and
 * DINOv2-layout models trained on the toy world ({@code saelab.toy}). Their providers are added here once that
 * package is part of the build; until then the list is empty and {@code saelab demo} asks for
 * {@code --backbone ID=MODEL_DIR}.
 */
public final class DemoBackbones {

    private DemoBackbones() {}

    /** The built-in backbones for a demo size (none yet). */
    public static List<BackboneProvider> standard(DemoSize size) {
        return List.of();
    }
}
