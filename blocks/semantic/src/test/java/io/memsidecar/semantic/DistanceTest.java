package io.memsidecar.semantic;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.semantic.spi.Distance;
import java.util.Random;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class DistanceTest {
    @Test
    void theFastPathOnPreparedVectorsAgreesWithTheDefinition() {
        var random = new Random(1);
        for (Distance d : Distance.values()) {
            for (int dims : new int[] {1, 3, 8, 385}) {
                float[] a = new float[dims];
                float[] b = new float[dims];
                for (int i = 0; i < dims; i++) {
                    a[i] = random.nextFloat() * 4 - 2;
                    b[i] = random.nextFloat() * 4 - 2;
                }
                assertThat(d.scorePrepared(d.prepare(a), d.prepare(b))).as(d + " " + dims)
                        .isCloseTo(d.score(a, b), Offset.offset(1e-3f * dims));
            }
        }
        assertThat(Distance.COSINE.score(new float[] {1, 0}, new float[] {-2, 0})).isEqualTo(-1f);
        assertThat(Distance.L2.score(new float[] {0, 0}, new float[] {3, 4})).isEqualTo(-5f);
        assertThat(Distance.INNER_PRODUCT.score(new float[] {1, 2}, new float[] {3, 4})).isEqualTo(11f);
    }
}
