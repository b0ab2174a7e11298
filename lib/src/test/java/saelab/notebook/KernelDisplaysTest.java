package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class KernelDisplaysTest {

    /** Shaped like IJava's kernel: display(DisplayData), whose type has a public no-arg constructor. */
    public static final class IJavaStyleKernel {
        final List<Data> shown = new ArrayList<>();

        public void display(Data data) {
            shown.add(data);
        }

        /** An overload that must not be picked: String has no putData. */
        public void display(String ignored) {
            throw new AssertionError("wrong display overload");
        }

        public static final class Data {
            final Map<String, Object> data = new LinkedHashMap<>();

            public Data() {}

            public void putData(String mime, Object content) {
                data.put(mime, content);
            }
        }
    }

    /** Shaped like rapaio's kernel: its DisplayData is made with a static withType factory only. */
    public static final class RapaioStyleKernel {
        final List<DisplayData> shown = new ArrayList<>();

        public void display(DisplayData data) {
            shown.add(data);
        }

        public static final class DisplayData {
            final Map<String, Object> data = new LinkedHashMap<>();
            String madeWith;

            protected DisplayData() {}

            public static DisplayData withType(String mime, String content) {
                DisplayData d = new DisplayData();
                d.madeWith = mime;
                d.data.put(mime, content);
                return d;
            }

            public void putData(String mime, Object content) {
                data.put(mime, content);
            }
        }
    }

    /** A kernel whose display fails, as a kernel would when its session is closed. */
    public static final class BrokenKernel {
        public void display(IJavaStyleKernel.Data data) {
            throw new IllegalStateException("session closed");
        }
    }

    /** Has display methods, but none taking a type with putData(String, Object). */
    public static final class NotAKernel {
        public void display(String text) {}

        public void display(Object a, Object b) {}
    }

    @AfterEach
    void resetDetection() {
        KernelDisplays.use(null);
    }

    private static MimeBundle sampleBundle() {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/html", "<b>bold</b>");
        m.put("image/png", "iVBORw0KGgo=");
        m.put("text/plain", "bold");
        return new MimeBundle(m);
    }

    @Test
    void ijavaStyleKernelReceivesEveryMimeEntry() {
        IJavaStyleKernel kernel = new IJavaStyleKernel();
        KernelDisplay display = KernelDisplays.forKernel("IJava", kernel);
        assertEquals("IJava", display.name());
        display.display(sampleBundle());
        assertEquals(1, kernel.shown.size());
        Map<String, Object> got = kernel.shown.get(0).data;
        assertEquals(Map.of("text/html", "<b>bold</b>", "image/png", "iVBORw0KGgo=", "text/plain", "bold"), got);
        assertEquals(List.of("text/html", "image/png", "text/plain"), List.copyOf(got.keySet()));
    }

    @Test
    void eachDisplayCallSendsAFreshDataObject() {
        IJavaStyleKernel kernel = new IJavaStyleKernel();
        KernelDisplay display = KernelDisplays.forKernel("IJava", kernel);
        display.display(MimeBundle.of("text/markdown", "# one", "one"));
        display.display(MimeBundle.of("text/html", "<p>two</p>", "two"));
        assertEquals(2, kernel.shown.size());
        assertEquals(Map.of("text/markdown", "# one", "text/plain", "one"), kernel.shown.get(0).data);
        assertEquals(Map.of("text/html", "<p>two</p>", "text/plain", "two"), kernel.shown.get(1).data);
    }

    @Test
    void rapaioStyleKernelGetsDataMadeByTheFactory() {
        RapaioStyleKernel kernel = new RapaioStyleKernel();
        KernelDisplay display = KernelDisplays.forKernel("rapaio", kernel);
        assertEquals("rapaio", display.name());
        display.display(sampleBundle());
        assertEquals(1, kernel.shown.size());
        RapaioStyleKernel.DisplayData d = kernel.shown.get(0);
        assertEquals("text/plain", d.madeWith, "the factory should be called with the plain-text fallback");
        assertEquals(Map.of("text/html", "<b>bold</b>", "image/png", "iVBORw0KGgo=", "text/plain", "bold"), d.data);
    }

    @Test
    void kernelFailureBecomesAnIllegalStateNamingTheKernel() {
        KernelDisplay display = KernelDisplays.forKernel("JJava", new BrokenKernel());
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> display.display(MimeBundle.of("text/html", "<p/>", "")));
        assertTrue(e.getMessage().contains("JJava"), e.getMessage());
        assertTrue(e.getMessage().contains("session closed"), e.getMessage());
        assertEquals("session closed", e.getCause().getMessage());
    }

    @Test
    void objectWithoutAUsableDisplayMethodIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> KernelDisplays.forKernel("IJava", new NotAKernel()));
        assertTrue(e.getMessage().contains(NotAKernel.class.getName()), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> KernelDisplays.forKernel("x", "a string"));
    }

    @Test
    void outsideAKernelDetectReturnsTheConsole() {
        KernelDisplays.use(null);
        KernelDisplay d = KernelDisplays.detect();
        assertEquals("console", d.name());
        assertSame(d, KernelDisplays.detect(), "detection is done once");
    }

    @Test
    void consoleDisplayPrintsThePlainText() {
        PrintStream old = System.out;
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
        try {
            new KernelDisplays.ConsoleDisplay().display(MimeBundle.of("text/html", "<p>hidden</p>", "[shown]"));
        } finally {
            System.setOut(old);
        }
        String printed = buf.toString(StandardCharsets.UTF_8);
        assertEquals("[shown]", printed.strip());
    }

    @Test
    void useOverridesDetectionUntilReset() {
        List<MimeBundle> got = new ArrayList<>();
        KernelDisplay mine = new KernelDisplay() {
            @Override
            public String name() {
                return "mine";
            }

            @Override
            public void display(MimeBundle bundle) {
                got.add(bundle);
            }
        };
        KernelDisplays.use(mine);
        assertSame(mine, KernelDisplays.detect());
        KernelDisplays.use(null);
        assertEquals("console", KernelDisplays.detect().name());
    }

    @Test
    void locatorsCoverTheThreeKernels() {
        List<String> names = KernelDisplays.LOCATORS.stream().map(KernelDisplays.Locator::name).distinct().toList();
        assertEquals(List.of("rapaio", "JJava", "IJava"), names);
    }
}
