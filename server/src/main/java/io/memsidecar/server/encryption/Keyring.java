package io.memsidecar.server.encryption;

import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encryption at rest (spec §10): the AES-256-GCM envelope
 * {@code 0x01 | key tag (first 4 bytes of SHA-256(key id)) | 12-byte nonce | ciphertext+tag},
 * the first key encrypting and any key decrypting (rotation), with associated data that binds
 * each value to its place — block, storage namespace and key, each prefixed with its varint
 * length — so a value moved elsewhere does not decrypt. With {@code allowPlaintextReads}, a
 * stored value that is not an envelope is returned as it is (migrating a namespace).
 */
public final class Keyring {
    private static final byte VERSION = 0x01;
    private static final int TAG = 4;
    private static final int NONCE = 12;
    private static final int GCM_TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A named 32-byte key; {@code tag} is what an envelope carries to find it. */
    public record Key(String id, byte[] secret, byte[] tag) {
        public Key(String id, byte[] secret) {
            this(id, secret, Arrays.copyOf(sha256(id.getBytes(StandardCharsets.UTF_8)), TAG));
            if (secret.length != 32) {
                throw new IllegalArgumentException("key " + id + " must be 32 bytes, got " + secret.length);
            }
        }
    }

    private final List<Key> keys;
    private final boolean allowPlaintextReads;

    public Keyring(List<Key> keys, boolean allowPlaintextReads) {
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("a keyring needs at least one key");
        }
        this.keys = List.copyOf(keys);
        this.allowPlaintextReads = allowPlaintextReads;
    }

    /** The key that encrypts new values: the first. */
    Key encryptingKey() {
        return keys.getFirst();
    }

    /** The first key carrying {@code tag}, if any (tags are 4 bytes of SHA-256 of the key id). */
    Optional<Key> keyTagged(byte[] tag) {
        return keys.stream().filter(k -> Arrays.equals(k.tag(), tag)).findFirst();
    }

    boolean allowPlaintextReads() {
        return allowPlaintextReads;
    }

    byte[] seal(String block, String namespace, String key, byte[] plaintext) {
        Key k = keys.getFirst();
        byte[] nonce = new byte[NONCE];
        RANDOM.nextBytes(nonce);
        byte[] sealed = crypt(Cipher.ENCRYPT_MODE, k, nonce, aad(block, namespace, key), plaintext, 0, plaintext.length);
        return ByteBuffer.allocate(1 + TAG + NONCE + sealed.length).put(VERSION).put(k.tag()).put(nonce).put(sealed).array();
    }

    /** The plaintext of a stored value; DATA_LOSS when no key opens it. Empty stays empty. */
    byte[] open(String block, String namespace, String key, byte[] stored) {
        if (stored.length == 0) {
            return stored;
        }
        if (stored.length < 1 + TAG + NONCE + GCM_TAG_BITS / 8 || stored[0] != VERSION) {
            if (allowPlaintextReads) {
                return stored;
            }
            throw new ApiException(Code.DATA_LOSS, block + " value " + key + " is not encrypted (set allow_plaintext_reads to migrate)");
        }
        byte[] tag = Arrays.copyOfRange(stored, 1, 1 + TAG);
        byte[] nonce = Arrays.copyOfRange(stored, 1 + TAG, 1 + TAG + NONCE);
        byte[] aad = aad(block, namespace, key);
        for (Key k : keys) {
            if (Arrays.equals(k.tag(), tag)) {
                try {
                    return crypt(Cipher.DECRYPT_MODE, k, nonce, aad, stored, 1 + TAG + NONCE, stored.length - 1 - TAG - NONCE);
                } catch (IllegalStateException e) {
                    // another key with the same tag, or the value is not where it was sealed
                }
            }
        }
        if (allowPlaintextReads && keys.stream().noneMatch(k -> Arrays.equals(k.tag(), tag))) {
            return stored;
        }
        throw new ApiException(Code.DATA_LOSS, block + " value " + key + " does not decrypt under any key of the keyring"
                + " (moved, corrupted, or its key was removed)");
    }

    private static byte[] crypt(int mode, Key k, byte[] nonce, byte[] aad, byte[] in, int offset, int length) {
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(mode, new SecretKeySpec(k.secret(), "AES"), new GCMParameterSpec(GCM_TAG_BITS, nonce));
            cipher.updateAAD(aad);
            return cipher.doFinal(in, offset, length);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM failed", e);
        }
    }

    /** Block, storage namespace and key, each prefixed with its length as an unsigned varint. */
    static byte[] aad(String block, String namespace, String key) {
        var out = new ByteArrayOutputStream();
        for (String part : new String[] {block, namespace, key}) {
            byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
            long n = bytes.length;
            while (n >= 0x80) {
                out.write((int) (n & 0x7f) | 0x80);
                n >>>= 7;
            }
            out.write((int) n);
            out.writeBytes(bytes);
        }
        return out.toByteArray();
    }

    private static byte[] sha256(byte[] bytes) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(bytes);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
