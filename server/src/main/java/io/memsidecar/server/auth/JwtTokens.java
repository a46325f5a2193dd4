package io.memsidecar.server.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.Ed25519Verifier;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.memsidecar.core.Capability;
import io.memsidecar.tokens.CapabilityTokens;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.EdECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.text.ParseException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * JWT capability tokens (spec §4, {@code auth.verifier: jwt}) on nimbus-jose-jwt: only the
 * configured algorithm is accepted (so {@code alg: none} and algorithm confusion — an HS256 token
 * against an RS256 key — are refused before any signature check), each trusted key is tried in
 * turn (rotation), {@code exp} is required, the issuer must be {@code memsidecar}, and the claims
 * map to a {@link Capability} exactly like PASETO's.
 */
public final class JwtTokens implements TokenVerifier {
    private final JWSAlgorithm alg;
    private final List<JWSVerifier> verifiers;

    private JwtTokens(JWSAlgorithm alg, List<JWSVerifier> verifiers) {
        this.alg = alg;
        this.verifiers = List.copyOf(verifiers);
    }

    /** HS256 with a shared secret (at least 32 bytes: HMAC-SHA256 wants a 256-bit key). */
    public static JwtTokens hs256(byte[] secret) {
        try {
            return new JwtTokens(JWSAlgorithm.HS256, List.of(new MACVerifier(secret)));
        } catch (JOSEException e) {
            throw new IllegalArgumentException("the HS256 secret must be at least 32 bytes", e);
        }
    }

    /** RS256, ES256 or EdDSA (Ed25519) with PEM public keys (PKIX "PUBLIC KEY" or X.509 "CERTIFICATE"), tried in order. */
    public static JwtTokens publicKeys(String alg, List<String> pems) {
        JWSAlgorithm a = JWSAlgorithm.parse(alg);
        var verifiers = new ArrayList<JWSVerifier>();
        for (String pem : pems) {
            PublicKey key = publicKey(pem);
            try {
                if (a.equals(JWSAlgorithm.RS256) && key instanceof RSAPublicKey rsa) {
                    verifiers.add(new RSASSAVerifier(rsa));
                } else if (a.equals(JWSAlgorithm.ES256) && key instanceof ECPublicKey ec) {
                    verifiers.add(new ECDSAVerifier(ec));
                } else if (a.equals(JWSAlgorithm.EdDSA) && key instanceof EdECPublicKey) {
                    // nimbus verifies Ed25519 through Google Tink, which the server carries for artifact encryption
                    byte[] der = key.getEncoded();
                    byte[] raw = java.util.Arrays.copyOfRange(der, der.length - 32, der.length);
                    verifiers.add(new Ed25519Verifier(new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(raw)).build()));
                } else {
                    throw new IllegalArgumentException("a " + key.getAlgorithm() + " key does not suit " + alg);
                }
            } catch (JOSEException e) {
                throw new IllegalArgumentException(e.getMessage(), e);
            }
        }
        return new JwtTokens(a, verifiers);
    }

    /** A PEM "PUBLIC KEY" (PKIX) or "CERTIFICATE", read with the JDK's own key and certificate factories. */
    private static PublicKey publicKey(String pem) {
        try {
            if (pem.contains("-----BEGIN CERTIFICATE-----")) {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII))).getPublicKey();
            }
            byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----(BEGIN|END) PUBLIC KEY-----", "").strip());
            for (String family : List.of("RSA", "EC", "Ed25519")) {
                try {
                    return KeyFactory.getInstance(family).generatePublic(new X509EncodedKeySpec(der));
                } catch (InvalidKeySpecException e) {
                    // the other family
                }
            }
            throw new IllegalArgumentException("not an RSA, EC or Ed25519 public key");
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalArgumentException("not a PEM public key or certificate: " + e.getMessage(), e);
        }
    }

    @Override
    public Capability verify(String token, Instant now) {
        SignedJWT jwt;
        try {
            jwt = SignedJWT.parse(token);
        } catch (ParseException e) {
            throw new PasetoTokens.InvalidTokenException("not a signed JWT");
        }
        if (!alg.equals(jwt.getHeader().getAlgorithm())) {
            throw new PasetoTokens.InvalidTokenException("algorithm " + jwt.getHeader().getAlgorithm() + " not allowed");
        }
        boolean verified = false;
        for (JWSVerifier verifier : verifiers) {
            try {
                if (jwt.verify(verifier)) {
                    verified = true;
                    break;
                }
            } catch (JOSEException e) {
                // try the next trusted key
            }
        }
        if (!verified) {
            throw new PasetoTokens.InvalidTokenException("signature not valid for any trusted key");
        }
        try {
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            if (!CapabilityTokens.ISSUER.equals(claims.getIssuer())) {
                throw new PasetoTokens.InvalidTokenException("issuer must be " + CapabilityTokens.ISSUER);
            }
            Date exp = claims.getExpirationTime();
            if (exp == null) {
                throw new PasetoTokens.InvalidTokenException("missing claim exp");
            }
            if (!now.isBefore(exp.toInstant())) {
                throw new PasetoTokens.InvalidTokenException("token expired");
            }
            if (claims.getNotBeforeTime() != null && now.isBefore(claims.getNotBeforeTime().toInstant())) {
                throw new PasetoTokens.InvalidTokenException("token not valid yet");
            }
            String tenant = Optional.ofNullable(claims.getStringClaim("tenant")).orElse("");
            if (tenant.isEmpty()) {
                throw new PasetoTokens.InvalidTokenException("missing claim tenant");
            }
            String agent = Optional.ofNullable(claims.getStringClaim("agent")).orElse("");
            return new Capability(tenant, agent, Optional.ofNullable(claims.getSubject()).orElse(agent),
                    strings(claims, "namespaces"), strings(claims, "ops"), Optional.of(exp.toInstant()),
                    Optional.ofNullable(claims.getJWTID()).orElse(""));
        } catch (ParseException e) {
            throw new PasetoTokens.InvalidTokenException("claims are not valid: " + e.getMessage());
        }
    }

    private static List<String> strings(JWTClaimsSet claims, String name) throws ParseException {
        List<String> values = claims.getStringListClaim(name);
        if (values == null) {
            throw new PasetoTokens.InvalidTokenException("missing claim " + name);
        }
        return values;
    }
}
