package io.memsidecar.server.auth;

import io.memsidecar.core.Capability;
import java.time.Instant;

/**
 * Verifies a bare capability token (PASETO v4.public or JWT, per {@code auth.verifier}) against
 * the trusted keys it was built with; every failure is a {@link PasetoTokens.InvalidTokenException}
 * whose message never contains the token.
 */
public interface TokenVerifier {
    Capability verify(String token, Instant now);
}
