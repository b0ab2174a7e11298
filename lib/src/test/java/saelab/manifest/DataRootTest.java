package saelab.manifest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where the data root comes from: the environment first, then the user's config file. */
class DataRootTest {

    @TempDir
    Path home;

    private void writeConfig(String json) throws IOException {
        Path f = DataRoot.configFile(home);
        Files.createDirectories(f.getParent());
        Files.writeString(f, json);
    }

    @Test
    void theConfigFileIsUnderDotConfig() {
        assertEquals(home.resolve(".config/saelab/config.json"), DataRoot.configFile(home));
    }

    @Test
    void nothingConfiguredGivesNoRoot() {
        assertEquals(Optional.empty(), DataRoot.find(Map.of(), home));
        assertEquals(Optional.empty(), DataRoot.find(Map.of(DataRoot.VAR, "  "), home), "a blank variable counts as unset");
    }

    @Test
    void theEnvironmentVariableIsUsedAndNormalised() {
        Path root = home.resolve("data");
        assertEquals(Optional.of(root), DataRoot.find(Map.of("SAELAB_DATA", home + "/x/../data"), home));
    }

    @Test
    void theEnvironmentVariableWinsOverTheConfigFile() throws IOException {
        writeConfig("{\"data_root\": \"/from/config\"}");
        Path env = home.resolve("from-env");
        assertEquals(Optional.of(env), DataRoot.find(Map.of(DataRoot.VAR, env.toString()), home));
    }

    @Test
    void theConfigFileGivesTheRoot() throws IOException {
        Path root = home.resolve("somewhere/data");
        writeConfig("{\"data_root\": \"" + root + "\"}");
        assertEquals(Optional.of(root), DataRoot.find(Map.of(), home));
    }

    @Test
    void aTildeInTheConfigMeansTheHomeFolder() throws IOException {
        writeConfig("{\"data_root\": \"~/datasets/saelab\"}");
        assertEquals(Optional.of(home.resolve("datasets/saelab")), DataRoot.find(Map.of(), home));
    }

    @Test
    void aConfigWithoutDataRootNamesTheFileAndField() throws IOException {
        writeConfig("{\"other\": 1}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataRoot.find(Map.of(), home));
        assertTrue(e.getMessage().contains(DataRoot.configFile(home).toString()), e.getMessage());
        assertTrue(e.getMessage().contains("'data_root'"), e.getMessage());
    }

    @Test
    void aDataRootThatIsNotTextIsRefused() throws IOException {
        writeConfig("{\"data_root\": 5}");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataRoot.find(Map.of(), home));
        assertTrue(e.getMessage().contains("'data_root'"), e.getMessage());
        writeConfig("{\"data_root\": \"\"}");
        assertThrows(IllegalArgumentException.class, () -> DataRoot.find(Map.of(), home));
    }

    @Test
    void aConfigThatIsNotJsonNamesTheFile() throws IOException {
        writeConfig("data_root = /data");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataRoot.find(Map.of(), home));
        assertTrue(e.getMessage().contains(DataRoot.configFile(home).toString()), e.getMessage());
    }
}
