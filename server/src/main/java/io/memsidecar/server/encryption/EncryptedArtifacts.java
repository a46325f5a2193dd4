package io.memsidecar.server.encryption;

import com.google.crypto.tink.subtle.AesGcmHkdfStreaming;
import io.memsidecar.artifact.ArtifactService;
import io.memsidecar.artifact.spi.ArtifactMeta;
import io.memsidecar.artifact.spi.ArtifactRead;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.artifact.spi.Upload;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Code;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.NonWritableChannelException;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.SeekableByteChannel;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * Encryption at rest for artifact bodies ({@code encrypt: true} on an artifact namespace), streamed
 * both ways with bounded memory. A stored body is {@code 0x02 | key tag (4 bytes) |} a segmented
 * streaming AEAD ciphertext — Tink's AES-256-GCM-HKDF with 64 KiB segments, a random salt per
 * artifact (so a fresh AES key per artifact), and the same associated data as KV values: (artifact,
 * storage namespace, id); the last segment is marked, so truncation is detected. A ranged read
 * decrypts only the segments it covers. The keyring's first key encrypts, any key decrypts.
 *
 * <p>The driver stores and ranges over the ciphertext, so it records the ciphertext's size; the
 * plaintext's size and SHA-256 — what clients see — travel in two reserved metadata entries that
 * this wrapper writes after the body is sealed (drivers read metadata after {@link Upload#seal()})
 * and removes on the way out. Names, content type and metadata stay plaintext, as for KV.
 */
public final class EncryptedArtifacts implements ArtifactStore {
    static final String SIZE = ArtifactService.RESERVED + "plaintext-size";
    static final String SHA256 = ArtifactService.RESERVED + "plaintext-sha256";
    private static final byte VERSION = 0x02;
    private static final int PREFIX = 1 + 4;
    private static final int SEGMENT = 64 * 1024;

    private final ArtifactStore store;
    private final Keyring keyring;

    public EncryptedArtifacts(ArtifactStore store, Keyring keyring) {
        this.store = store;
        this.keyring = keyring;
    }

    private static AesGcmHkdfStreaming aead(Keyring.Key key) {
        try {
            return new AesGcmHkdfStreaming(key.secret(), "HmacSha256", 32, SEGMENT, 0);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM-HKDF streaming unavailable", e);
        }
    }

    private static byte[] aad(String namespace, String id) {
        return Keyring.aad("artifact", namespace, id);
    }

    @Override
    public ArtifactMeta put(String namespace, Upload upload) {
        Keyring.Key key = keyring.encryptingKey();
        var sealing = new SealingBody(upload.body(), aead(key), aad(namespace, upload.id()), key.tag());
        ArtifactMeta stored = store.put(namespace, new Upload() {
            private Integrity plaintext;

            @Override
            public String id() {
                return upload.id();
            }

            @Override
            public String contentType() {
                return upload.contentType();
            }

            @Override
            public Map<String, String> metadata() {
                if (plaintext == null) {
                    throw new IllegalStateException("an artifact driver must read metadata after seal()");
                }
                var out = new HashMap<>(upload.metadata());
                out.put(SIZE, Long.toString(plaintext.size()));
                out.put(SHA256, plaintext.sha256());
                return out;
            }

            @Override
            public InputStream body() {
                return sealing;
            }

            @Override
            public Integrity seal() {
                plaintext = upload.seal();
                return sealing.integrity();
            }
        });
        return plaintextMeta(stored);
    }

    @Override
    public Optional<ArtifactMeta> stat(String namespace, String id) {
        return store.stat(namespace, id).map(EncryptedArtifacts::plaintextMeta);
    }

    @Override
    public void list(String namespace, Map<String, String> filter, String startAfter, long limit, Consumer<ArtifactMeta> sink) {
        store.list(namespace, filter, startAfter, limit, m -> sink.accept(plaintextMeta(m)));
    }

    @Override
    public boolean delete(String namespace, String id) {
        return store.delete(namespace, id);
    }

    @Override
    public Optional<ArtifactRead> open(String namespace, String id, long offset, long length) {
        Optional<ArtifactMeta> stored = store.stat(namespace, id);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        if (!stored.get().metadata().containsKey(SIZE)) {
            if (keyring.allowPlaintextReads()) {
                return store.open(namespace, id, offset, length);
            }
            throw new ApiException(Code.DATA_LOSS, "artifact " + id + " is not encrypted (set allow_plaintext_reads to migrate)");
        }
        ArtifactMeta meta = plaintextMeta(stored.get());
        long rest = Math.max(0, meta.size() - offset);
        long count = length == 0 ? rest : Math.min(length, rest);
        var ciphertext = new StoredChannel(store, namespace, id, stored.get().size());
        try {
            AesGcmHkdfStreaming aead = aead(ciphertext.key(keyring));
            InputStream plaintext;
            if (offset == 0) {
                plaintext = aead.newDecryptingStream(Channels.newInputStream(ciphertext), aad(namespace, id));
            } else {
                SeekableByteChannel channel = aead.newSeekableDecryptingChannel(ciphertext, aad(namespace, id));
                channel.position(offset);
                plaintext = Channels.newInputStream(channel);
            }
            return Optional.of(new ArtifactRead(meta, new OpenedBody(plaintext, count, id)));
        } catch (GeneralSecurityException | IOException e) {
            ciphertext.close();
            throw doesNotDecrypt(id, e);
        }
    }

    private static ApiException doesNotDecrypt(String id, Exception cause) {
        return new ApiException(Code.DATA_LOSS, "artifact " + id + " does not decrypt under any key of the keyring"
                + " (moved, corrupted, or its key was removed)", cause);
    }

    /** What clients see: the plaintext's size and SHA-256, without the reserved entries. */
    private static ArtifactMeta plaintextMeta(ArtifactMeta stored) {
        String size = stored.metadata().get(SIZE);
        if (size == null) {
            return stored;
        }
        var metadata = new HashMap<>(stored.metadata());
        metadata.remove(SIZE);
        String sha = metadata.remove(SHA256);
        return new ArtifactMeta(stored.id(), Long.parseLong(size), stored.contentType(), sha == null ? "" : sha, metadata,
                stored.createdAt());
    }

    /**
     * The ciphertext as the driver pulls it: plaintext is read from the upload a segment's worth at
     * a time and pushed through Tink's encrypting stream into a small buffer; size and SHA-256 of
     * what was handed out are the stored object's integrity.
     */
    private static final class SealingBody extends InputStream {
        private final InputStream plaintext;
        private final ByteArrayOutputStream pending = new ByteArrayOutputStream(SEGMENT * 2);
        private final OutputStream encrypting;
        private final MessageDigest digest = sha256();
        private final byte[] chunk = new byte[SEGMENT];
        private byte[] ready = new byte[0];
        private int position;
        private long size;
        private boolean finished;

        SealingBody(InputStream plaintext, AesGcmHkdfStreaming aead, byte[] aad, byte[] tag) {
            this.plaintext = plaintext;
            pending.write(VERSION);
            pending.writeBytes(tag);
            try {
                this.encrypting = aead.newEncryptingStream(pending, aad);
            } catch (GeneralSecurityException | IOException e) {
                throw new IllegalStateException("artifact encryption: " + e.getMessage(), e);
            }
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            while (position == ready.length) {
                if (finished) {
                    return -1;
                }
                int n = plaintext.readNBytes(chunk, 0, chunk.length);
                if (n > 0) {
                    encrypting.write(chunk, 0, n);
                }
                if (n < chunk.length) {
                    encrypting.close(); // seals the last segment
                    finished = true;
                }
                ready = pending.toByteArray();
                pending.reset();
                position = 0;
                digest.update(ready);
                size += ready.length;
            }
            int n = Math.min(len, ready.length - position);
            System.arraycopy(ready, position, b, off, n);
            position += n;
            return n;
        }

        Upload.Integrity integrity() {
            if (!finished || position < ready.length) {
                throw new IllegalStateException("seal() before the body was read to its end");
            }
            return new Upload.Integrity(size, HexFormat.of().formatHex(digest.digest()));
        }
    }

    /**
     * The stored ciphertext after its prefix, as a read-only seekable channel for Tink: a read at a
     * new position opens the driver's stream there (one ranged read per seek, sequential after).
     */
    private static final class StoredChannel implements SeekableByteChannel {
        private final ArtifactStore store;
        private final String namespace;
        private final String id;
        private final long size;
        private long position;
        private ReadableByteChannel current;
        private long currentAt = -1;

        StoredChannel(ArtifactStore store, String namespace, String id, long storedSize) {
            this.store = store;
            this.namespace = namespace;
            this.id = id;
            this.size = storedSize - PREFIX;
        }

        /** Reads the prefix and finds the key that sealed this body. */
        Keyring.Key key(Keyring keyring) throws IOException {
            try (InputStream in = store.open(namespace, id, 0, PREFIX).orElseThrow(() -> doesNotDecrypt(id, null)).body()) {
                byte[] prefix = in.readNBytes(PREFIX);
                if (prefix.length < PREFIX || prefix[0] != VERSION) {
                    throw doesNotDecrypt(id, null);
                }
                return keyring.keyTagged(java.util.Arrays.copyOfRange(prefix, 1, PREFIX)).orElseThrow(() -> doesNotDecrypt(id, null));
            }
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            if (position >= size) {
                return -1;
            }
            if (current == null || currentAt != position) {
                closeCurrent();
                current = Channels.newChannel(store.open(namespace, id, PREFIX + position, 0)
                        .orElseThrow(() -> new IOException("artifact " + id + " went away while being read")).body());
                currentAt = position;
            }
            int n = current.read(dst);
            if (n > 0) {
                position += n;
                currentAt = position;
            }
            return n;
        }

        @Override
        public long position() {
            return position;
        }

        @Override
        public SeekableByteChannel position(long newPosition) {
            position = newPosition;
            return this;
        }

        @Override
        public long size() {
            return size;
        }

        @Override
        public int write(ByteBuffer src) {
            throw new NonWritableChannelException();
        }

        @Override
        public SeekableByteChannel truncate(long s) {
            throw new NonWritableChannelException();
        }

        @Override
        public boolean isOpen() {
            return true;
        }

        @Override
        public void close() {
            try {
                closeCurrent();
            } catch (IOException e) {
                // closing a read stream of a driver: nothing to keep
            }
        }

        private void closeCurrent() throws IOException {
            if (current != null) {
                current.close();
                current = null;
            }
        }
    }

    /** The decrypted range: at most {@code count} bytes; a failed tag check is DATA_LOSS, not an I/O error. */
    private static final class OpenedBody extends InputStream {
        private final InputStream in;
        private final String id;
        private long left;

        OpenedBody(InputStream in, long count, String id) {
            this.in = in;
            this.left = count;
            this.id = id;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (left <= 0) {
                return -1;
            }
            try {
                int n = in.read(b, off, (int) Math.min(len, left));
                if (n > 0) {
                    left -= n;
                }
                return n;
            } catch (IOException e) {
                throw doesNotDecrypt(id, e);
            }
        }

        @Override
        public void close() throws IOException {
            in.close();
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
