package io.memsidecar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyOrderTest {
    @Test
    void ordersLikeUtf8Bytes() {
        List<String> keys = new ArrayList<>(List.of("b", "a", "\uFFFD", "\uD83D\uDE00", "ab", "", "Z"));
        keys.sort(KeyOrder.UTF8);
        List<String> byBytes = new ArrayList<>(keys);
        byBytes.sort((x, y) -> Arrays.compareUnsigned(x.getBytes(StandardCharsets.UTF_8), y.getBytes(StandardCharsets.UTF_8)));
        assertThat(keys).isEqualTo(byBytes);
        assertThat(keys.indexOf("\uFFFD")).isLessThan(keys.indexOf("\uD83D\uDE00"));
    }
}
