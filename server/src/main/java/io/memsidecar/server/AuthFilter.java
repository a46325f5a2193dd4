package io.memsidecar.server;

import com.google.protobuf.Message;
import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Security;
import io.helidon.security.SecurityContext;
import io.helidon.security.SecurityEnvironment;
import io.helidon.security.SecurityResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Capability;
import io.memsidecar.core.Filter;
import io.memsidecar.core.Handler;
import io.memsidecar.core.Route;
import java.util.Locale;
import java.util.UUID;

/**
 * Authenticates every call through helidon-security (the PASETO provider), whatever the
 * transport. The header value is trimmed and a case-insensitive {@code Bearer } prefix removed,
 * as the original did; every failure is UNAUTHENTICATED.
 */
final class AuthFilter implements Filter {
    private final Security security;

    AuthFilter(Security security) {
        this.security = security;
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
        SecurityContext context = security.createContext(UUID.randomUUID().toString());
        context.env(SecurityEnvironment.builder().header(PasetoAuthenticationProvider.HEADER, token).build());
        AuthenticationResponse response = context.atnClientBuilder().submit();
        if (response.status() != SecurityResponse.SecurityStatus.SUCCESS) {
            throw ApiException.unauthenticated(response.description().orElse("invalid token"));
        }
        return response.user().flatMap(s -> s.privateCredential(Capability.class))
                .orElseThrow(() -> ApiException.unauthenticated("no capability in token"));
    }

    static String bareToken(String header) {
        String value = header.strip();
        if (value.length() >= 7 && value.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
            value = value.substring(7).strip();
        }
        return value;
    }
}
