package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.dflib.jjava.jupyter.kernel.display.DisplayData;
import org.dflib.jjava.jupyter.kernel.display.mime.MIMEType;
import org.junit.jupiter.api.Test;

/**
 * Checks KernelDisplays against the real DisplayData class of JJava (org.dflib.jjava:jjava-jupyter),
 * which BaseKernel.display(DisplayData) takes in that kernel.
 */
class JJavaDisplayDataTest {

    /** A stand-in for JJava's kernel: the same display signature, on the real DisplayData type. */
    public static final class TinyJJavaKernel {
        final List<DisplayData> shown = new ArrayList<>();

        public void display(DisplayData data) {
            shown.add(data);
        }
    }

    @Test
    void bundleArrivesInTheRealDisplayData() {
        TinyJJavaKernel kernel = new TinyJJavaKernel();
        KernelDisplay display = KernelDisplays.forKernel("JJava", kernel);
        Map<String, String> m = new LinkedHashMap<>();
        m.put("text/html", "<table><tr><td>1</td></tr></table>");
        m.put("image/png", "iVBORw0KGgo=");
        m.put("text/plain", "a table");
        display.display(new MimeBundle(m));

        assertEquals(1, kernel.shown.size());
        DisplayData d = kernel.shown.get(0);
        assertEquals("<table><tr><td>1</td></tr></table>", d.getData(MIMEType.TEXT_HTML));
        assertEquals("iVBORw0KGgo=", d.getData(MIMEType.IMAGE_PNG));
        assertEquals("a table", d.getData(MIMEType.TEXT_PLAIN));
        assertFalse(d.hasDataForType(MIMEType.TEXT_MARKDOWN));
        assertFalse(d.hasDisplayId());
    }

    @Test
    void markdownFromShowReachesTheRealDisplayData() {
        TinyJJavaKernel kernel = new TinyJJavaKernel();
        KernelDisplays.use(KernelDisplays.forKernel("JJava", kernel));
        try {
            Show.markdown("**done**");
        } finally {
            KernelDisplays.use(null);
        }
        assertEquals(1, kernel.shown.size());
        assertTrue(kernel.shown.get(0).hasDataForType(MIMEType.TEXT_MARKDOWN));
        assertEquals("**done**", kernel.shown.get(0).getData(MIMEType.TEXT_MARKDOWN));
    }
}
