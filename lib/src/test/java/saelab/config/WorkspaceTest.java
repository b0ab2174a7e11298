package saelab.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkspaceTest {

    @TempDir
    Path tmp;

    Path checkout;

    /** Makes a folder that looks like a saelab checkout: it holds data-manifests/figures.json. */
    private static Path makeCheckout(Path folder) throws IOException {
        Files.createDirectories(folder.resolve("data-manifests"));
        Files.writeString(folder.resolve("data-manifests").resolve("figures.json"), "{}");
        return folder.toAbsolutePath().normalize();
    }

    @BeforeEach
    void setUp() throws IOException {
        checkout = makeCheckout(tmp.resolve("repo"));
    }

    @Test
    void findsTheRootFromItself() {
        Workspace ws = Workspace.locate(Map.of(), checkout);
        assertEquals(checkout, ws.root());
    }

    @Test
    void findsTheRootByWalkingUpFromASubfolder() throws IOException {
        Path deep = Files.createDirectories(checkout.resolve("notebooks").resolve("java").resolve("x"));
        Workspace ws = Workspace.locate(Map.of(), deep);
        assertEquals(checkout, ws.root());
        assertEquals(checkout.resolve("data-manifests").resolve("figures.json"), ws.figureRegistry());
        assertEquals(checkout.resolve("data-manifests"), ws.manifests());
        assertEquals(checkout.resolve("figures"), ws.figuresRoot());
        assertEquals(checkout.resolve("figures").resolve("demo"), ws.figures(Profile.DEMO));
        assertEquals(checkout.resolve("figures").resolve("paper"), ws.figures(Profile.PAPER));
    }

    @Test
    void theNearestCheckoutWins() throws IOException {
        Path inner = makeCheckout(checkout.resolve("vendor").resolve("other"));
        Path start = Files.createDirectories(inner.resolve("src"));
        assertEquals(inner, Workspace.locate(Map.of(), start).root());
    }

    @Test
    void aFolderNamedLikeTheRegistryDoesNotCount() throws IOException {
        Path fake = tmp.resolve("fake");
        Files.createDirectories(fake.resolve("data-manifests").resolve("figures.json"));
        Path start = Files.createDirectories(checkout.resolve("sub"));
        // the fake is a sibling, not an ancestor; but check directly that it is not taken as a root
        assertThrows(IllegalStateException.class, () -> Workspace.locate(Map.of(), fake));
        assertEquals(checkout, Workspace.locate(Map.of(), start).root());
    }

    @Test
    void homeVariableOverridesTheStartFolder() throws IOException {
        Path other = makeCheckout(tmp.resolve("elsewhere"));
        Workspace ws = Workspace.locate(Map.of("SAELAB_HOME", other.toString()), checkout);
        assertEquals(other, ws.root());
        assertEquals(other.resolve("figures"), ws.figuresRoot());
    }

    @Test
    void blankHomeVariableIsIgnored() {
        assertEquals(checkout, Workspace.locate(Map.of("SAELAB_HOME", " "), checkout).root());
    }

    @Test
    void homeVariableWithoutARegistryIsAnErrorNamingTheVariable() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Workspace.locate(Map.of("SAELAB_HOME", empty.toString()), checkout));
        assertTrue(e.getMessage().contains("SAELAB_HOME"), e.getMessage());
        assertTrue(e.getMessage().contains(empty.toAbsolutePath().normalize().toString()), e.getMessage());
    }

    @Test
    void figuresVariableRedirectsTheProfileFolders() throws IOException {
        Path figs = tmp.resolve("quick-figures");
        Workspace ws = Workspace.locate(Map.of("SAELAB_FIGURES", figs.toString()), checkout);
        assertEquals(checkout, ws.root());
        assertEquals(figs.toAbsolutePath().normalize(), ws.figuresRoot());
        assertEquals(figs.toAbsolutePath().normalize().resolve("paper"), ws.figures(Profile.PAPER));
        assertEquals(figs.toAbsolutePath().normalize().resolve("demo"), ws.figures(Profile.DEMO));
        // the registry is still the checkout's
        assertEquals(checkout.resolve("data-manifests").resolve("figures.json"), ws.figureRegistry());
    }

    @Test
    void noCheckoutAboveTheStartIsAnError() throws IOException {
        Path lonely = Files.createDirectories(tmp.resolve("lonely").resolve("deeper"));
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> Workspace.locate(Map.of(), lonely));
        assertTrue(e.getMessage().contains("SAELAB_HOME"), e.getMessage());
        assertTrue(e.getMessage().contains("data-manifests/figures.json"), e.getMessage());
    }
}
