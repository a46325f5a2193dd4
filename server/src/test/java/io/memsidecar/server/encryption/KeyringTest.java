package io.memsidecar.server.encryption;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class KeyringTest {
    private static final Keyring.Key K1 = new Keyring.Key("k1", filled(1));
    private static final Keyring.Key K2 = new Keyring.Key("k2", filled(2));
    private static final byte[] SECRET = "the launch codes".getBytes(StandardCharsets.UTF_8);

    private static byte[] filled(int b) {
        byte[] key = new byte[32];
        Arrays.fill(key, (byte) b);
        return key;
    }

    private static void assertDataLoss(Runnable open) {
        assertThatThrownBy(open::run).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(Code.DATA_LOSS));
    }

    @Test
    void theEnvelopeIsSpecFormatAndOpensOnlyWhereItWasSealed() throws Exception {
        var ring = new Keyring(List.of(K1), false);
        byte[] sealed = ring.seal("kv", "acme\u001fnotes", "plan", SECRET);
        assertThat(sealed[0]).isEqualTo((byte) 0x01);
        assertThat(Arrays.copyOfRange(sealed, 1, 5)).isEqualTo(Arrays.copyOf(
                MessageDigest.getInstance("SHA-256").digest("k1".getBytes(StandardCharsets.UTF_8)), 4));
        assertThat(sealed).hasSize(1 + 4 + 12 + SECRET.length + 16);
        assertThat(new String(sealed, StandardCharsets.ISO_8859_1)).doesNotContain("launch");
        assertThat(ring.seal("kv", "acme\u001fnotes", "plan", SECRET)).as("a fresh nonce each time").isNotEqualTo(sealed);
        assertThat(ring.open("kv", "acme\u001fnotes", "plan", sealed)).isEqualTo(SECRET);
        assertDataLoss(() -> ring.open("kv", "acme\u001fnotes", "other-key", sealed));
        assertDataLoss(() -> ring.open("kv", "umbrella\u001fnotes", "plan", sealed));
        assertDataLoss(() -> ring.open("episodic", "acme\u001fnotes", "plan", sealed));
        byte[] flipped = sealed.clone();
        flipped[flipped.length - 1] ^= 1;
        assertDataLoss(() -> ring.open("kv", "acme\u001fnotes", "plan", flipped));
    }

    @Test
    void theFirstKeyEncryptsAndAnyKeyDecrypts() {
        byte[] old = new Keyring(List.of(K1), false).seal("kv", "n", "k", SECRET);
        var rotated = new Keyring(List.of(K2, K1), false);
        assertThat(rotated.open("kv", "n", "k", old)).isEqualTo(SECRET);
        byte[] fresh = rotated.seal("kv", "n", "k", SECRET);
        assertThat(new Keyring(List.of(K2), false).open("kv", "n", "k", fresh)).isEqualTo(SECRET);
        assertDataLoss(() -> new Keyring(List.of(K2), false).open("kv", "n", "k", old));
    }

    @Test
    void plaintextIsReadOnlyWhenMigrating() {
        byte[] plain = "written before encryption".getBytes(StandardCharsets.UTF_8);
        assertThat(new Keyring(List.of(K1), true).open("kv", "n", "k", plain)).isEqualTo(plain);
        assertDataLoss(() -> new Keyring(List.of(K1), false).open("kv", "n", "k", plain));
        assertThat(new Keyring(List.of(K1), false).open("kv", "n", "k", new byte[0])).isEmpty();
        assertThatThrownBy(() -> new Keyring.Key("short", new byte[16])).hasMessageContaining("32 bytes");
    }
}
