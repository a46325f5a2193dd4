package io.memsidecar.embedder.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.Options;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LocalEmbedderTest {
    private static EmbedderSpec spec(String model, int dims) {
        return new EmbedderSpec("local", model, dims, new Options("embedder.options", Map.of()), Map.of());
    }

    @Test
    void aParaphraseRanksAboveAnUnrelatedSentence() {
        try (Embedder e = new LocalEmbedder.Provider().open(spec("", 384))) {
            List<float[]> v = e.embed(List.of("the cat sat on the mat", "a kitten was sitting on the rug",
                    "quarterly revenue grew by eight percent"));
            assertThat(v).allSatisfy(x -> assertThat(x).hasSize(384));
            float paraphrase = Distance.COSINE.score(v.get(0), v.get(1));
            float unrelated = Distance.COSINE.score(v.get(0), v.get(2));
            assertThat(paraphrase).isGreaterThan(unrelated + 0.2f);
            // deterministic: the same text embeds to the same vector
            assertThat(e.embed(List.of("the cat sat on the mat")).getFirst()).containsExactly(v.get(0));
        }
    }

    @Test
    void onlyItsOwnModelAndDimensionsAreAccepted() {
        assertThatThrownBy(() -> new LocalEmbedder.Provider().open(spec("", 768))).hasMessageContaining("384");
        assertThatThrownBy(() -> new LocalEmbedder.Provider().open(spec("bge-large", 384))).hasMessageContaining("bge-large");
    }
}
