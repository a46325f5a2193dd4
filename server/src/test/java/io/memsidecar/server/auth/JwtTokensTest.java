package io.memsidecar.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.Ed25519Signer;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.OctetKeyPairGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.memsidecar.tokens.CapabilityTokens;
import java.nio.charset.StandardCharsets;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.junit.jupiter.api.Test;

class JwtTokensTest {
    private static final Instant NOW = Instant.parse("2026-06-01T00:00:00Z");
    private static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);
    private static final CapabilityTokens.Grant GRANT = new CapabilityTokens.Grant("acme", "planner", List.of("kv/*"),
            List.of("kv.get"), Duration.ofHours(1), "");

    private static JWTClaimsSet.Builder claims() {
        return new JWTClaimsSet.Builder().issuer("memsidecar").expirationTime(Date.from(NOW.plusSeconds(60)))
                .claim("tenant", "acme").claim("namespaces", List.of("kv/*")).claim("ops", List.of("*"));
    }

    private static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder().encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    private static void assertRejected(TokenVerifier verifier, String token, String why) {
        assertThatThrownBy(() -> verifier.verify(token, NOW)).isInstanceOf(PasetoTokens.InvalidTokenException.class)
                .hasMessageContaining(why);
    }

    @Test
    void hs256TokensMapToACapabilityLikePaseto() {
        var c = JwtTokens.hs256(SECRET).verify(CapabilityTokens.jwtHs256(SECRET, GRANT, NOW), NOW.plusSeconds(5));
        assertThat(c.tenant()).isEqualTo("acme");
        assertThat(c.agent()).isEqualTo("planner");
        assertThat(c.namespaces()).containsExactly("kv/*");
        assertThat(c.ops()).containsExactly("kv.get");
        assertThat(c.expiresAt()).hasValue(NOW.plus(Duration.ofHours(1)));
        var verifier = JwtTokens.hs256(SECRET);
        assertRejected(verifier, CapabilityTokens.jwtHs256(SECRET, GRANT, NOW.minus(Duration.ofHours(2))), "expired");
        assertRejected(verifier, CapabilityTokens.jwtHs256("another-secret-of-thirty-two-bytes".getBytes(StandardCharsets.UTF_8),
                GRANT, NOW), "signature");
        assertThatThrownBy(() -> JwtTokens.hs256("short".getBytes(StandardCharsets.UTF_8)))
                .hasMessageContaining("32 bytes");
    }

    @Test
    void claimsAreRequiredAsForPaseto() throws Exception {
        var verifier = JwtTokens.hs256(SECRET);
        for (var c : List.of(claims().issuer("someone"), claims().expirationTime(null), claims().claim("tenant", ""),
                claims().claim("ops", null))) {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), c.build());
            jwt.sign(new MACSigner(SECRET));
            assertThatThrownBy(() -> verifier.verify(jwt.serialize(), NOW)).isInstanceOf(PasetoTokens.InvalidTokenException.class);
        }
    }

    @Test
    void algNoneIsRejected() {
        String unsigned = new PlainJWT(claims().build()).serialize();
        assertRejected(JwtTokens.hs256(SECRET), unsigned, "not a signed JWT");
    }

    /** The classic confusion: an HS256 token whose HMAC key is the server's RSA public key. */
    @Test
    void algorithmConfusionIsRejected() throws Exception {
        RSAKey rsa = new RSAKeyGenerator(2048).generate();
        var verifier = JwtTokens.publicKeys("RS256", List.of(pem(rsa.toPublicKey())));
        var forged = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        forged.sign(new MACSigner(pem(rsa.toPublicKey()).getBytes(StandardCharsets.UTF_8)));
        assertRejected(verifier, forged.serialize(), "algorithm HS256 not allowed");
    }

    @Test
    void rs256AndEs256VerifyWithEveryTrustedKeyInTurn() throws Exception {
        RSAKey old = new RSAKeyGenerator(2048).generate();
        RSAKey current = new RSAKeyGenerator(2048).generate();
        var rsVerifier = JwtTokens.publicKeys("RS256", List.of(pem(current.toPublicKey()), pem(old.toPublicKey())));
        for (RSAKey key : List.of(old, current)) {
            var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), claims().build());
            jwt.sign(new RSASSASigner(key));
            assertThat(rsVerifier.verify(jwt.serialize(), NOW).tenant()).isEqualTo("acme");
        }
        ECKey ec = new ECKeyGenerator(Curve.P_256).generate();
        var esVerifier = JwtTokens.publicKeys("ES256", List.of(pem(ec.toPublicKey())));
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.ES256), claims().build());
        jwt.sign(new ECDSASigner(ec));
        assertThat(esVerifier.verify(jwt.serialize(), NOW).tenant()).isEqualTo("acme");
        assertThatThrownBy(() -> JwtTokens.publicKeys("ES256", List.of(pem(old.toPublicKey()))))
                .hasMessageContaining("does not suit ES256");
    }

    @Test
    void eddsaVerifiesEd25519TokensAndRefusesOtherAlgorithmsAndKeys() throws Exception {
        OctetKeyPair ed = new OctetKeyPairGenerator(Curve.Ed25519).generate();
        var pair = java.security.KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
        // the verifier is given the JDK's PEM of the public key; the token is signed by nimbus (via Tink)
        byte[] raw = ed.getDecodedX();
        byte[] spki = java.util.HexFormat.of().parseHex("302a300506032b6570032100");
        var publicKey = java.security.KeyFactory.getInstance("Ed25519").generatePublic(
                new java.security.spec.X509EncodedKeySpec(concat(spki, raw)));
        var verifier = JwtTokens.publicKeys("EdDSA", List.of(pem(pair.getPublic()), pem(publicKey)));
        var jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.EdDSA), claims().build());
        jwt.sign(new Ed25519Signer(ed));
        assertThat(verifier.verify(jwt.serialize(), NOW).tenant()).isEqualTo("acme");
        // an HS256 token is refused by an EdDSA verifier before any signature check
        var hs = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims().build());
        hs.sign(new MACSigner(new byte[32]));
        assertRejected(verifier, hs.serialize(), "algorithm HS256 not allowed");
        // another Ed25519 key does not verify it
        var other = JwtTokens.publicKeys("EdDSA", List.of(pem(pair.getPublic())));
        assertRejected(other, jwt.serialize(), "signature not valid");
        assertThatThrownBy(() -> JwtTokens.publicKeys("EdDSA", List.of(pem(new ECKeyGenerator(Curve.P_256).generate().toPublicKey()))))
                .hasMessageContaining("does not suit EdDSA");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
