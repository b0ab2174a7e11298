package saelab.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** {@link HubSettings#fromEnvironment}: the Python client's variables and saelab's cache folder. */
class HubSettingsTest {

    static final Path HOME = Path.of("/home/u");

    static HubSettings env(Map<String, String> env) {
        return HubSettings.fromEnvironment(env, new Properties(), HOME);
    }

    @Test
    void defaults() {
        HubSettings s = env(Map.of());
        assertEquals(URI.create("https://huggingface.co"), s.endpoint());
        assertNull(s.token());
        assertFalse(s.offline());
        assertEquals(HOME.resolve(".cache/saelab/hub"), s.cacheDir());
        assertEquals(HOME.resolve(".cache/huggingface/hub"), s.pythonCacheDir());
    }

    @Test
    void variables() {
        HubSettings s = env(Map.of("HF_ENDPOINT", "http://127.0.0.1:8080/", "HF_TOKEN", "hf_x", "HF_HUB_OFFLINE", "1",
                "SAELAB_HOME", "/repo", "HF_HOME", "/hf"));
        assertEquals(URI.create("http://127.0.0.1:8080"), s.endpoint());
        assertEquals("hf_x", s.token());
        assertTrue(s.offline());
        assertEquals(Path.of("/repo/hub"), s.cacheDir());
        assertEquals(Path.of("/hf/hub"), s.pythonCacheDir());
        assertFalse(s.toString().contains("hf_x"), "the token is not printed");

        assertEquals(Path.of("/c"), env(Map.of("HF_HUB_CACHE", "/c", "HF_HOME", "/hf")).pythonCacheDir());
        assertEquals(Path.of("/x/huggingface/hub"), env(Map.of("XDG_CACHE_HOME", "/x")).pythonCacheDir());
        assertEquals(Path.of("/own"), env(Map.of("SAELAB_HUB_CACHE", "/own", "SAELAB_HOME", "/repo")).cacheDir());
        assertFalse(env(Map.of("HF_HUB_OFFLINE", "0")).offline());
        assertTrue(env(Map.of("HF_HUB_OFFLINE", "true")).offline());

        Properties p = new Properties();
        p.setProperty("saelab.offline", "true");
        assertTrue(HubSettings.fromEnvironment(Map.of(), p, HOME).offline());
    }

    @Test
    void badValuesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> env(Map.of("HF_ENDPOINT", "ftp://x")));
        assertTrue(e.getMessage().contains("HF_ENDPOINT"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HubSettings.builder(HOME).attempts(0, java.time.Duration.ZERO).build());
    }
}
