package io.memsidecar.tokens;

import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Ed25519 keys in the hex forms of the original's configs: a 32-byte public key, and a secret
 * key of 64 bytes (seed followed by public key, as Go's ed25519 writes it) or the 32-byte seed.
 */
public final class Ed25519Keys {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] X509_PREFIX = HEX.parseHex("302a300506032b6570032100");
    private static final byte[] PKCS8_PREFIX = HEX.parseHex("302e020100300506032b657004220420");

    private Ed25519Keys() {
    }

    public static PublicKey publicKey(String hex) {
        byte[] raw = parse(hex, "public key");
        if (raw.length != 32) {
            throw new IllegalArgumentException("an Ed25519 public key is 32 bytes (64 hex characters), got " + raw.length);
        }
        try {
            return KeyFactory.getInstance("Ed25519").generatePublic(new X509EncodedKeySpec(concat(X509_PREFIX, raw)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid Ed25519 public key", e);
        }
    }

    public static PrivateKey privateKey(String hex) {
        byte[] raw = parse(hex, "secret key");
        if (raw.length != 32 && raw.length != 64) {
            throw new IllegalArgumentException("an Ed25519 secret key is 64 bytes (or a 32-byte seed), got " + raw.length);
        }
        try {
            byte[] seed = Arrays.copyOf(raw, 32);
            return KeyFactory.getInstance("Ed25519").generatePrivate(new PKCS8EncodedKeySpec(concat(PKCS8_PREFIX, seed)));
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("invalid Ed25519 secret key", e);
        }
    }

    /** A new pair as hex: secret (seed + public, 64 bytes) and public (32 bytes). */
    public static String[] generateHex() {
        try {
            KeyPair kp = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] seed = Arrays.copyOfRange(kp.getPrivate().getEncoded(), PKCS8_PREFIX.length, PKCS8_PREFIX.length + 32);
            byte[] pub = publicBytes(kp.getPublic());
            return new String[] {HEX.formatHex(concat(seed, pub)), HEX.formatHex(pub)};
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Ed25519 unavailable", e);
        }
    }

    public static String publicHexOf(String secretHex) {
        byte[] raw = parse(secretHex, "secret key");
        if (raw.length == 64) {
            return HEX.formatHex(Arrays.copyOfRange(raw, 32, 64));
        }
        throw new IllegalArgumentException("need the 64-byte secret key to derive its public key");
    }

    private static byte[] publicBytes(PublicKey key) {
        byte[] enc = key.getEncoded();
        return Arrays.copyOfRange(enc, X509_PREFIX.length, enc.length);
    }

    private static byte[] parse(String hex, String what) {
        try {
            return HEX.parseHex(hex.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(what + " is not valid hex");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
