package io.memsidecar.tokens;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.UUID;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.paseto4j.commons.Version;
import org.paseto4j.version4.Paseto;

/**
 * Mints capability tokens (spec §4): issuer {@code memsidecar}, a fresh {@code jti} unless one is
 * given, {@code iat}/{@code nbf} now, {@code exp} after the TTL, and the custom claims
 * {@code tenant}, {@code agent} (also {@code sub}), {@code namespaces}, {@code ops}. PASETO
 * v4.public writes the times as RFC 3339 strings, the JWT as NumericDate, as the original did.
 */
public final class CapabilityTokens {
    public static final String ISSUER = "memsidecar";
    private static final ObjectMapper JSON = new ObjectMapper();

    static {
        installProvider();
    }

    /** paseto4j asks the "BC" provider for its primitives (signing and verifying alike). */
    public static synchronized void installProvider() {
        if (java.security.Security.getProvider(BouncyCastleProvider.PROVIDER_NAME) == null) {
            java.security.Security.addProvider(new BouncyCastleProvider());
        }
    }

    private CapabilityTokens() {
    }

    /** What a token grants. */
    public record Grant(String tenant, String agent, List<String> namespaces, List<String> ops, Duration ttl, String jti) {
        public Grant {
            namespaces = List.copyOf(namespaces);
            ops = List.copyOf(ops);
        }

        String jtiOrRandom() {
            return jti.isEmpty() ? UUID.randomUUID().toString() : jti;
        }
    }

    /** A PASETO v4.public token signed with an Ed25519 key. */
    public static String paseto(PrivateKey key, Grant grant, Instant now) {
        ObjectNode claims = JSON.createObjectNode();
        claims.put("iss", ISSUER);
        if (!grant.agent().isEmpty()) {
            claims.put("sub", grant.agent());
            claims.put("agent", grant.agent());
        }
        claims.put("jti", grant.jtiOrRandom());
        claims.put("iat", now.toString());
        claims.put("nbf", now.toString());
        claims.put("exp", now.plus(grant.ttl()).toString());
        claims.put("tenant", grant.tenant());
        grant.namespaces().forEach(claims.putArray("namespaces")::add);
        grant.ops().forEach(claims.putArray("ops")::add);
        return Paseto.sign(new org.paseto4j.commons.PrivateKey(key, Version.V4), claims.toString());
    }

    /** An HS256 JWT with the same claims; the secret must be at least 32 bytes. */
    public static String jwtHs256(byte[] secret, Grant grant, Instant now) {
        var claims = new JWTClaimsSet.Builder().issuer(ISSUER).jwtID(grant.jtiOrRandom())
                .issueTime(Date.from(now)).notBeforeTime(Date.from(now)).expirationTime(Date.from(now.plus(grant.ttl())))
                .claim("tenant", grant.tenant()).claim("namespaces", grant.namespaces()).claim("ops", grant.ops());
        if (!grant.agent().isEmpty()) {
            claims.subject(grant.agent()).claim("agent", grant.agent());
        }
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims.build());
        try {
            jwt.sign(new MACSigner(secret));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes", e);
        }
        return jwt.serialize();
    }
}
