package saelab.notebook;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * One piece of rich output as Jupyter's {@code display_data} carries it: a map from MIME type to
 * content (text, or base64 for binary types such as {@code image/png}). Frontends pick the richest
 * type they understand; {@code text/plain} is always present as the fallback.
 *
 * @param data MIME type to content, in insertion order, {@code text/plain} included
 */
public record MimeBundle(Map<String, String> data) {

    public MimeBundle {
        if (!data.containsKey("text/plain")) {
            throw new IllegalArgumentException("a MIME bundle needs a text/plain fallback, got types " + data.keySet());
        }
        data = Collections.unmodifiableMap(new LinkedHashMap<>(data));
    }

    /** A bundle with one rich type plus its plain-text fallback. */
    public static MimeBundle of(String mime, String content, String plainText) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(mime, content);
        m.put("text/plain", plainText);
        return new MimeBundle(m);
    }

    /** The plain-text fallback. */
    public String plainText() {
        return data.get("text/plain");
    }
}
