package io.memsidecar.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.semantic.spi.Hit;
import io.memsidecar.semantic.spi.SemanticRecord;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RrfTest {
    private static List<Hit> lane(String... ids) {
        return Arrays.stream(ids).map(id -> new Hit(new SemanticRecord(id, "", new byte[0], new float[0], Map.of(),
                Instant.EPOCH, Instant.EPOCH, Optional.empty(), Optional.empty(), List.of(), "", 1), 0.5f)).toList();
    }

    @Test
    void sumsReciprocalRanksWithKSixtyAndBreaksTiesById() {
        List<Hit> fused = Rrf.fuse(List.of(lane("a", "b", "c"), lane("c", "d")), 10);
        assertThat(fused).extracting(h -> h.record().id()).containsExactly("c", "a", "b", "d"); // b and d tie at 1/62: by id
        assertThat(fused.get(0).score()).isEqualTo((float) (1.0 / 63 + 1.0 / 61));
        assertThat(fused.get(1).score()).isEqualTo((float) (1.0 / 61));
        // a tie (rank 1 in one lane each) is ordered by id ascending
        assertThat(Rrf.fuse(List.of(lane("z"), lane("y")), 10)).extracting(h -> h.record().id()).containsExactly("y", "z");
    }

    @Test
    void keepsTopK() {
        assertThat(Rrf.fuse(List.of(lane("a", "b", "c")), 2)).hasSize(2);
        assertThat(Rrf.fuse(List.of(List.of(), List.of()), 5)).isEmpty();
    }
}
