package io.memsidecar.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

class AuthFilterTest {
    private final String[] key = Ed25519Keys.generateHex();
    private final AtomicReference<Instant> now = new AtomicReference<>(Instant.parse("2026-06-01T00:00:00Z"));
    private final AtomicReference<List<PublicKey>> trusted = new AtomicReference<>(List.of(Ed25519Keys.publicKey(key[1])));
    private final AuthFilter auth = new AuthFilter(() -> new PasetoTokens.Verifier(trusted.get()), new Clock() {
                @Override
                public ZoneOffset getZone() {
                    return ZoneOffset.UTC;
                }

                @Override
                public Clock withZone(java.time.ZoneId zone) {
                    return this;
                }

                @Override
                public Instant instant() {
                    return now.get();
                }
            });

    private String token(Duration ttl) {
        return CapabilityTokens.paseto(Ed25519Keys.privateKey(key[0]),
                new CapabilityTokens.Grant("acme", "bot", List.of("*"), List.of("*"), ttl, ""), now.get());
    }

    @Test
    void aCachedTokenStillExpires() {
        String t = token(Duration.ofMinutes(1));
        assertThat(auth.authenticate(t).tenant()).isEqualTo("acme");
        assertThat(auth.authenticate(t).tenant()).isEqualTo("acme");
        now.set(now.get().plus(Duration.ofMinutes(1)));
        assertThatThrownBy(() -> auth.authenticate(t)).isInstanceOfSatisfying(ApiException.class, e -> {
            assertThat(e.code()).isEqualTo(Code.UNAUTHENTICATED);
            assertThat(e.getMessage()).contains("expired");
        });
    }

    @Test
    void droppingAKeyRevokesTokensVerifiedWithIt() {
        String t = token(Duration.ofHours(1));
        assertThat(auth.authenticate(t).tenant()).isEqualTo("acme");
        trusted.set(List.of(Ed25519Keys.publicKey(Ed25519Keys.generateHex()[1])));
        assertThatThrownBy(() -> auth.authenticate(t)).isInstanceOfSatisfying(ApiException.class,
                e -> assertThat(e.code()).isEqualTo(Code.UNAUTHENTICATED));
    }

    @Test
    void bearerPrefixIsOptionalAndCaseInsensitive() {
        assertThat(AuthFilter.bareToken("  Bearer abc ")).isEqualTo("abc");
        assertThat(AuthFilter.bareToken("bearer abc")).isEqualTo("abc");
        assertThat(AuthFilter.bareToken("abc")).isEqualTo("abc");
    }
}
