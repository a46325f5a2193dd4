package io.memsidecar.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.Capability;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class PasetoTokensTest {
    private static final Instant NOW = Instant.parse("2026-06-01T12:00:00Z");
    private final String[] key = Ed25519Keys.generateHex();
    private final String[] other = Ed25519Keys.generateHex();

    private String token(String[] pair, Duration ttl) {
        return CapabilityTokens.paseto(Ed25519Keys.privateKey(pair[0]),
                new CapabilityTokens.Grant("acme", "bot", List.of("kv/*"), List.of("kv.get"), ttl, "id-1"), NOW);
    }

    @Test
    void roundTripsClaims() {
        Capability c = PasetoTokens.verify(List.of(Ed25519Keys.publicKey(key[1])), token(key, Duration.ofHours(1)), NOW);
        assertThat(c.tenant()).isEqualTo("acme");
        assertThat(c.agent()).isEqualTo("bot");
        assertThat(c.namespaces()).containsExactly("kv/*");
        assertThat(c.ops()).containsExactly("kv.get");
        assertThat(c.tokenId()).isEqualTo("id-1");
        assertThat(c.expiresAt()).hasValue(NOW.plus(Duration.ofHours(1)));
    }

    @Test
    void everyTrustedKeyIsTriedSoKeysRotate() {
        String t = token(key, Duration.ofHours(1));
        var trusted = List.of(Ed25519Keys.publicKey(other[1]), Ed25519Keys.publicKey(key[1]));
        assertThat(PasetoTokens.verify(trusted, t, NOW).tenant()).isEqualTo("acme");
        assertThatThrownBy(() -> PasetoTokens.verify(List.of(Ed25519Keys.publicKey(other[1])), t, NOW))
                .hasMessageContaining("signature");
    }

    @Test
    void expiredAndForeignTokensFail() {
        String t = token(key, Duration.ofMinutes(1));
        var trusted = List.of(Ed25519Keys.publicKey(key[1]));
        assertThatThrownBy(() -> PasetoTokens.verify(trusted, t, NOW.plus(Duration.ofMinutes(1)))).hasMessage("token expired");
        assertThatThrownBy(() -> PasetoTokens.verify(trusted, "v2.public.xyz", NOW)).hasMessageContaining("v4.public");
    }

    @Test
    void goStyleSixtyFourByteSecretAndSeedGiveTheSameKey() {
        String seedOnly = key[0].substring(0, 64);
        String t = CapabilityTokens.paseto(Ed25519Keys.privateKey(seedOnly),
                new CapabilityTokens.Grant("acme", "", List.of("*"), List.of("*"), Duration.ofMinutes(5), ""), NOW);
        assertThat(PasetoTokens.verify(List.of(Ed25519Keys.publicKey(Ed25519Keys.publicHexOf(key[0]))), t, NOW).tenant())
                .isEqualTo("acme");
    }
}
