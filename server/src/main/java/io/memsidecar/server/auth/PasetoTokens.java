package io.memsidecar.server.auth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.memsidecar.core.Capability;
import io.memsidecar.tokens.CapabilityTokens;
import java.security.PublicKey;
import java.security.SignatureException;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.paseto4j.commons.Version;
import org.paseto4j.version4.Paseto;

/**
 * Verifies PASETO v4.public capability tokens (spec §4) as {@link CapabilityTokens#paseto} mints
 * them: issuer {@code memsidecar}, registered claims as RFC 3339 strings, custom claims
 * {@code tenant}, {@code agent}, {@code namespaces}, {@code ops}.
 */
public final class PasetoTokens {
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        CapabilityTokens.installProvider();
    }

    private PasetoTokens() {
    }

    /**
     * Verifies the signature with each trusted key in turn, then the claims. Every failure is an
     * {@link InvalidTokenException} whose message never contains the token.
     */
    public static Capability verify(List<PublicKey> trusted, String token, Instant now) {
        if (!token.startsWith("v4.public.")) {
            throw new InvalidTokenException("not a v4.public PASETO token");
        }
        String payload = null;
        for (PublicKey key : trusted) {
            try {
                payload = Paseto.parse(new org.paseto4j.commons.PublicKey(key, Version.V4), token);
                break;
            } catch (SignatureException | RuntimeException e) {
                // try the next trusted key
            }
        }
        if (payload == null) {
            throw new InvalidTokenException("signature not valid for any trusted key");
        }
        JsonNode claims;
        try {
            claims = JSON.readTree(payload);
        } catch (Exception e) {
            throw new InvalidTokenException("claims are not JSON");
        }
        if (!CapabilityTokens.ISSUER.equals(claims.path("iss").asText())) {
            throw new InvalidTokenException("issuer must be " + CapabilityTokens.ISSUER);
        }
        Optional<Instant> exp = time(claims, "exp");
        if (exp.isPresent() && !now.isBefore(exp.get())) {
            throw new InvalidTokenException("token expired");
        }
        Optional<Instant> nbf = time(claims, "nbf");
        if (nbf.isPresent() && now.plusSeconds(5).isBefore(nbf.get())) {
            throw new InvalidTokenException("token not valid yet");
        }
        String tenant = claims.path("tenant").asText("");
        if (tenant.isEmpty()) {
            throw new InvalidTokenException("missing claim tenant");
        }
        String agent = claims.path("agent").asText("");
        return new Capability(tenant, agent, claims.path("sub").asText(agent),
                strings(claims, "namespaces"), strings(claims, "ops"), exp, claims.path("jti").asText(""));
    }

    private static Optional<Instant> time(JsonNode claims, String name) {
        JsonNode node = claims.get(name);
        if (node == null || node.isNull() || node.asText().isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(java.time.OffsetDateTime.parse(node.asText()).toInstant());
        } catch (DateTimeParseException e) {
            throw new InvalidTokenException("claim " + name + " is not an RFC 3339 time");
        }
    }

    private static List<String> strings(JsonNode claims, String name) {
        JsonNode node = claims.get(name);
        if (node == null || !node.isArray()) {
            throw new InvalidTokenException("missing claim " + name);
        }
        var out = new ArrayList<String>();
        node.forEach(n -> out.add(n.asText()));
        return out;
    }

    /** PASETO verification against a set of trusted keys; equal for equal key lists (the auth cache's key). */
    public record Verifier(List<PublicKey> keys) implements TokenVerifier {
        public Verifier {
            keys = List.copyOf(keys);
        }

        @Override
        public Capability verify(String token, Instant now) {
            return PasetoTokens.verify(keys, token, now);
        }
    }

    /** A token that does not verify. */
    public static final class InvalidTokenException extends RuntimeException {
        public InvalidTokenException(String message) {
            super(message, null, false, false);
        }
    }
}
