package io.memsidecar.server;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Message;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import java.security.PublicKey;
import java.time.Clock;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * Authenticates every call with the PASETO capability token of its
 * {@code x-memsidecar-capability} header (every trusted key tried in turn), whatever the
 * transport. The header value is trimmed and a case-insensitive {@code Bearer } prefix removed,
 * as the original did; every failure is UNAUTHENTICATED.
 *
 * <p>An Ed25519 verification costs more than a whole KV Get, and agents
 * send the same token on every call, so verified tokens are cached (bounded, per trusted-key
 * set). Expiry is still checked on every call, and a change of trusted keys drops the cache.
 */
final class AuthFilter implements Filter {
    private static final int CACHE_SIZE = 10_000;
    /** The capability header, on gRPC metadata and HTTP alike. */
    static final String HEADER = "x-memsidecar-capability";

    private final Supplier<List<PublicKey>> trustedKeys;
    private final Clock clock;
    private volatile Verified verified = new Verified(List.of());

    /** Tokens verified against one set of trusted keys; replaced when the keys change. */
    private record Verified(List<PublicKey> keys, Cache<String, Capability> tokens) {
        Verified(List<PublicKey> keys) {
            this(keys, Caffeine.newBuilder().maximumSize(CACHE_SIZE).build());
        }
    }

    AuthFilter(Supplier<List<PublicKey>> trustedKeys, Clock clock) {
        this.trustedKeys = trustedKeys;
        this.clock = clock;
    }

    @Override
    public <Q extends Message, R extends Message> Handler<Q, R> apply(Route<Q, R> route, Handler<Q, R> next) {
        return (call, request, sink) -> {
            String token = call.credential().map(AuthFilter::bareToken).orElse("");
            if (token.isEmpty()) {
                throw ApiException.unauthenticated("missing capability token (header x-memsidecar-capability)");
            }
            call.authenticated(authenticate(token));
            next.handle(call, request, sink);
        };
    }

    Capability authenticate(String token) {
        List<PublicKey> keys = trustedKeys.get();
        Verified v = verified;
        if (!v.keys().equals(keys)) {
            v = new Verified(keys);
            verified = v;
        }
        Capability cached = v.tokens().getIfPresent(token);
        if (cached == null) {
            cached = verify(token);
            v.tokens().put(token, cached);
        } else if (cached.expiresAt().isPresent() && !clock.instant().isBefore(cached.expiresAt().get())) {
            v.tokens().invalidate(token);
            throw ApiException.unauthenticated("invalid token: token expired");
        }
        return cached;
    }

    private Capability verify(String token) {
        try {
            return PasetoTokens.verify(trustedKeys.get(), token, clock.instant());
        } catch (PasetoTokens.InvalidTokenException e) {
            throw ApiException.unauthenticated("invalid token: " + e.getMessage());
        }
    }

    static String bareToken(String header) {
        String value = header.strip();
        if (value.length() >= 7 && value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            value = value.substring(7).strip();
        }
        return value;
    }
}
