package io.memsidecar.server;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Principal;
import io.helidon.security.ProviderRequest;
import io.helidon.security.Subject;
import io.helidon.security.spi.AuthenticationProvider;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.memsidecar.core.Capability;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.function.Supplier;

/**
 * A helidon-security authentication provider for PASETO capability tokens. It reads the bare
 * token from the {@code x-memsidecar-capability} header of the security environment and puts
 * the verified {@link Capability} on the subject as a private credential. The trusted keys come
 * from a supplier so that a reload swaps them without rebuilding security.
 *
 * <p>An Ed25519 verification costs more than a whole KV Get, and agents send the same token on
 * every call, so verified tokens are cached (bounded, per trusted-key set). Expiry is still
 * checked on every call, and a change of trusted keys drops the cache.
 */
final class PasetoAuthenticationProvider implements AuthenticationProvider {
    static final String HEADER = "x-memsidecar-capability";

    private static final int CACHE_SIZE = 10_000;

    private final Supplier<List<PublicKey>> trustedKeys;
    private final Clock clock;
    private volatile Verified verified = new Verified(List.of());

    /** Tokens verified against one set of trusted keys; replaced when the keys change. */
    private record Verified(List<PublicKey> keys, Cache<String, Capability> tokens) {
        Verified(List<PublicKey> keys) {
            this(keys, Caffeine.newBuilder().maximumSize(CACHE_SIZE).build());
        }
    }

    PasetoAuthenticationProvider(Supplier<List<PublicKey>> trustedKeys, Clock clock) {
        this.trustedKeys = trustedKeys;
        this.clock = clock;
    }

    @Override
    public AuthenticationResponse authenticate(ProviderRequest request) {
        List<String> values = request.env().headers().getOrDefault(HEADER, List.of());
        if (values.isEmpty() || values.getFirst().isEmpty()) {
            return AuthenticationResponse.failed("missing capability token");
        }
        try {
            Capability capability = verify(values.getFirst());
            Subject subject = Subject.builder()
                    .principal(Principal.create(capability.tenant()))
                    .addPrivateCredential(Capability.class, capability)
                    .build();
            return AuthenticationResponse.success(subject);
        } catch (PasetoTokens.InvalidTokenException e) {
            return AuthenticationResponse.failed("invalid token: " + e.getMessage());
        }
    }

    private Capability verify(String token) {
        List<PublicKey> keys = trustedKeys.get();
        Verified v = verified;
        if (!v.keys().equals(keys)) {
            v = new Verified(keys);
            verified = v;
        }
        var now = clock.instant();
        Capability cached = v.tokens().getIfPresent(token);
        if (cached == null) {
            cached = PasetoTokens.verify(keys, token, now);
            v.tokens().put(token, cached);
        } else if (cached.expiresAt().isPresent() && !now.isBefore(cached.expiresAt().get())) {
            v.tokens().invalidate(token);
            throw new PasetoTokens.InvalidTokenException("token expired");
        }
        return cached;
    }
}
