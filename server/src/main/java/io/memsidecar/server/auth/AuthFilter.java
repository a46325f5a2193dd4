package io.memsidecar.server.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.google.protobuf.Message;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
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
public final class AuthFilter implements Filter {
    private static final int CACHE_SIZE = 10_000;
    /** The capability header, on gRPC metadata and HTTP alike. */
    public static final String HEADER = "x-memsidecar-capability";

    private final Supplier<TokenVerifier> verifier;
    private final Clock clock;
    private volatile Verified verified = new Verified(null);

    /** Tokens verified by one verifier (one set of trusted keys); replaced when it changes. */
    private record Verified(TokenVerifier by, Cache<String, Capability> tokens) {
        Verified(TokenVerifier by) {
            this(by, Caffeine.newBuilder().maximumSize(CACHE_SIZE).build());
        }
    }

    /** {@code verifier}: the current one (a reload swaps it, which drops the cache). */
    public AuthFilter(Supplier<TokenVerifier> verifier, Clock clock) {
        this.verifier = verifier;
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

    public Capability authenticate(String token) {
        TokenVerifier current = verifier.get();
        Verified v = verified;
        if (!current.equals(v.by())) {
            v = new Verified(current);
            verified = v;
        }
        Capability cached = v.tokens().getIfPresent(token);
        if (cached == null) {
            cached = verify(current, token);
            v.tokens().put(token, cached);
        } else if (cached.expiresAt().isPresent() && !clock.instant().isBefore(cached.expiresAt().get())) {
            v.tokens().invalidate(token);
            throw ApiException.unauthenticated("invalid token: token expired");
        }
        return cached;
    }

    private Capability verify(TokenVerifier current, String token) {
        try {
            return current.verify(token, clock.instant());
        } catch (PasetoTokens.InvalidTokenException e) {
            throw ApiException.unauthenticated("invalid token: " + e.getMessage());
        }
    }

    public static String bareToken(String header) {
        String value = header.strip();
        if (value.length() >= 7 && value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            value = value.substring(7).strip();
        }
        return value;
    }
}
