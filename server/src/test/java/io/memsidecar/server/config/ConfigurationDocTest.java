package io.memsidecar.server.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md's "Every key" lists exactly the keys the loader accepts. */
class ConfigurationDocTest {
    @Test
    void theDocumentedKeysAreTheLoadersKeys() throws Exception {
        String doc = Files.readString(Path.of("../docs/configuration.md"));
        var block = Pattern.compile("(?s)## Every key.*?```text\\n(.*?)```").matcher(doc);
        assertThat(block.find()).as("an 'Every key' section with a text block").isTrue();
        assertThat(block.group(1).lines().map(String::strip).filter(l -> !l.isEmpty()).toList())
                .containsExactlyInAnyOrderElementsOf(ConfigKeys.known());
    }
}
