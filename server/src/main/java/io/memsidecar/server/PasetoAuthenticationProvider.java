package io.memsidecar.server;

import io.helidon.security.AuthenticationResponse;
import io.helidon.security.Principal;
import io.helidon.security.ProviderRequest;
import io.helidon.security.Subject;
import io.helidon.security.spi.AuthenticationProvider;
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
 */
final class PasetoAuthenticationProvider implements AuthenticationProvider {
    static final String HEADER = "x-memsidecar-capability";

    private final Supplier<List<PublicKey>> trustedKeys;
    private final Clock clock;

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
            Capability capability = PasetoTokens.verify(trustedKeys.get(), values.getFirst(), clock.instant());
            Subject subject = Subject.builder()
                    .principal(Principal.create(capability.tenant()))
                    .addPrivateCredential(Capability.class, capability)
                    .build();
            return AuthenticationResponse.success(subject);
        } catch (PasetoTokens.InvalidTokenException e) {
            return AuthenticationResponse.failed("invalid token: " + e.getMessage());
        }
    }
}
