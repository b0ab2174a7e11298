package saelab.notebook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MimeBundleTest {

    @Test
    void bundleWithoutPlainTextIsRejected() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new MimeBundle(Map.of("text/html", "<b>hi</b>")));
        assertTrue(e.getMessage().contains("text/plain"), e.getMessage());
        assertTrue(e.getMessage().contains("text/html"), e.getMessage());
    }

    @Test
    void ofPutsTheRichTypeFirstAndThePlainFallback() {
        MimeBundle b = MimeBundle.of("text/html", "<i>x</i>", "x");
        assertEquals(List.of("text/html", "text/plain"), List.copyOf(b.data().keySet()));
        assertEquals("<i>x</i>", b.data().get("text/html"));
        assertEquals("x", b.plainText());
    }

    @Test
    void dataIsAnImmutableCopyKeepingOrder() {
        Map<String, String> src = new LinkedHashMap<>();
        src.put("image/png", "AAAA");
        src.put("text/markdown", "*x*");
        src.put("text/plain", "x");
        MimeBundle b = new MimeBundle(src);
        src.put("text/html", "later");
        assertEquals(List.of("image/png", "text/markdown", "text/plain"), List.copyOf(b.data().keySet()));
        assertThrows(UnsupportedOperationException.class, () -> b.data().put("a/b", "c"));
    }

    @Test
    void plainTextAloneIsEnough() {
        Map<String, String> m = new HashMap<>();
        m.put("text/plain", "only");
        assertEquals("only", new MimeBundle(m).plainText());
    }
}
