package io.memsidecar.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnsafeByteOperations;
import io.grpc.Context;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactMeta;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.ListRequest;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.InterruptedIOException;
import java.io.OutputStream;
import java.time.Instant;
import java.util.Arrays;
import java.util.Iterator;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.stream.Stream;

/**
 * Blobs (spec §2.5), streamed both ways under gRPC flow control — uploads in chunks of
 * {@link MemSidecar.Builder#uploadChunkBytes} (1 MiB), downloads in the server's 64 KiB: an upload is an
 * {@link OutputStream} that blocks while the server is behind, a download an {@link InputStream}
 * that holds one chunk at a time. Nothing is ever read whole.
 */
public final class Artifacts {
    /**
     * The default chunk size of uploads: 1 MiB moved a 256 MiB upload 1.3–1.5× faster than 64 KiB
     * (docs/benchmarks.md), and stays under the 4 MiB every gRPC server takes by default.
     */
    public static final int CHUNK = 1024 * 1024;

    private final MemSidecar client;

    Artifacts(MemSidecar client) {
        this.client = client;
    }

    /** What the server stored: the size and SHA-256 it counted. */
    public record Ref(String id, long size, String contentType, String sha256, Instant createdAt) {
    }

    public record Info(String id, long size, String contentType, String sha256, Map<String, String> metadata, Instant createdAt) {
    }

    /** Options of an upload; the expected size and SHA-256 are checked by the server at the end. */
    public record PutOptions(String contentType, Map<String, String> metadata, OptionalLong expectedSize, String expectedSha256) {
        public static final PutOptions NONE = new PutOptions("", Map.of(), OptionalLong.empty(), "");

        public static PutOptions contentType(String type) {
            return NONE.withContentType(type);
        }

        public PutOptions withContentType(String type) {
            return new PutOptions(type, metadata, expectedSize, expectedSha256);
        }

        public PutOptions withMetadata(Map<String, String> m) {
            return new PutOptions(contentType, Map.copyOf(m), expectedSize, expectedSha256);
        }

        public PutOptions withExpected(long size, String sha256Hex) {
            return new PutOptions(contentType, metadata, OptionalLong.of(size), sha256Hex);
        }
    }

    /** Uploads everything {@code in} holds (not closed here). {@code id} empty: generated. */
    public Ref put(String namespace, String id, InputStream in, PutOptions options) throws IOException {
        try (Upload upload = upload(namespace, id, options)) {
            in.transferTo(upload);
            upload.close();
            return upload.ref();
        }
    }

    /** An upload to write into; {@link Upload#close()} ends it and {@link Upload#ref()} is what was stored. */
    public Upload upload(String namespace, String id, PutOptions options) {
        var init = PutInit.newBuilder().setNamespace(namespace).setId(id).setContentType(options.contentType())
                .putAllMetadata(options.metadata()).setExpectedSha256(options.expectedSha256());
        options.expectedSize().ifPresent(init::setExpectedSize);
        return new Upload(client, init.build());
    }

    /** The artifact's bytes from {@code offset}, {@code length} of them (0: to the end). */
    public Download get(String namespace, String id, long offset, long length) {
        return new Download(client, GetRequest.newBuilder().setNamespace(namespace).setId(id).setOffset(offset)
                .setLength(length).build());
    }

    public Download get(String namespace, String id) {
        return get(namespace, id, 0, 0);
    }

    public Optional<Info> stat(String namespace, String id) {
        var r = Calls.call(() -> client.unary(ArtifactGrpc::newBlockingStub).stat(StatRequest.newBuilder().setNamespace(namespace)
                .setId(id).build()));
        return r.getFound() ? Optional.of(info(r.getMeta())) : Optional.empty();
    }

    public boolean delete(String namespace, String id) {
        return Calls.call(() -> client.unary(ArtifactGrpc::newBlockingStub).delete(DeleteRequest.newBuilder()
                .setNamespace(namespace).setId(id).build())).getExisted();
    }

    /** Artifacts in id order, optionally by metadata equality; close the stream to stop early. */
    public Stream<Info> list(String namespace, Map<String, String> filter, String startAfter, int limit) {
        var request = ListRequest.newBuilder().setNamespace(namespace).putAllFilter(filter).setStartAfter(startAfter)
                .setLimit(limit).build();
        return Calls.stream(() -> ArtifactGrpc.newBlockingStub(client.channel()).list(request), Artifacts::info);
    }

    static Info info(ArtifactMeta m) {
        return new Info(m.getId(), m.getSize(), m.getContentType(), m.getSha256(), m.getMetadataMap(), Calls.instant(m.getCreatedAt()));
    }

    /** An upload in progress: writes are cut into chunks, each sent when flow control allows. */
    public static final class Upload extends OutputStream implements ClientResponseObserver<PutRequest, PutResponse> {
        private final CompletableFuture<PutResponse> result = new CompletableFuture<>();
        private final Object lock = new Object();
        private final int chunk;
        private byte[] buffer;
        private int filled;
        private PutResponse response;
        private ClientCallStreamObserver<PutRequest> requests;
        private boolean closed;

        private Upload(MemSidecar client, PutInit init) {
            chunk = client.uploadChunk();
            buffer = new byte[Math.min(chunk, 64 * 1024)]; // grows to a whole chunk only for a large upload
            // sends while up to 1 MiB is queued: grpc-java's default of 32 KiB stops after every chunk
            ArtifactGrpc.newStub(client.channel()).withOnReadyThreshold(1 << 20).put(this);
            requests.onNext(PutRequest.newBuilder().setInit(init).build());
        }

        @Override
        public void beforeStart(ClientCallStreamObserver<PutRequest> stream) {
            requests = stream;
            stream.setOnReadyHandler(this::wake);
        }

        private void wake() {
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            if (closed) {
                throw new IOException("upload closed");
            }
            while (len > 0) {
                int n = Math.min(len, buffer.length - filled);
                System.arraycopy(b, off, buffer, filled, n);
                filled += n;
                off += n;
                len -= n;
                if (filled == buffer.length && buffer.length < chunk) {
                    buffer = Arrays.copyOf(buffer, Math.min(chunk, 2 * buffer.length));
                } else if (filled == buffer.length) {
                    send();
                }
            }
        }

        private void send() throws IOException {
            failIfDone();
            synchronized (lock) {
                while (!requests.isReady() && !result.isDone()) {
                    try {
                        lock.wait(100);
                    } catch (InterruptedException e) {
                        requests.cancel("interrupted", e);
                        Thread.currentThread().interrupt();
                        throw new InterruptedIOException("upload interrupted");
                    }
                }
            }
            failIfDone();
            // the message owns this buffer from here on (no copy); the next chunk gets a fresh one
            requests.onNext(PutRequest.newBuilder().setChunk(PutChunk.newBuilder()
                    .setData(UnsafeByteOperations.unsafeWrap(buffer, 0, filled))).build());
            buffer = new byte[chunk];
            filled = 0;
        }

        /** The server ended the call early (a limit, a permission): its error, now. */
        private void failIfDone() {
            if (result.isDone()) {
                ref();
            }
        }

        /** Sends what is left and waits for the server's answer. */
        @Override
        public void close() throws IOException {
            if (closed) {
                return;
            }
            closed = true;
            if (filled > 0) {
                send();
            }
            if (!result.isDone()) {
                requests.onCompleted();
            }
            ref();
        }

        /** Stops the upload: nothing is stored. */
        public void abort() {
            closed = true;
            requests.cancel("aborted by the client", null);
        }

        /** What was stored (after {@link #close()}). */
        public Ref ref() {
            try {
                var r = result.get().getRef();
                return new Ref(r.getId(), r.getSize(), r.getContentType(), r.getSha256(), Calls.instant(r.getCreatedAt()));
            } catch (ExecutionException e) {
                throw e.getCause() instanceof StatusRuntimeException s ? MemSidecarException.of(s)
                        : new IllegalStateException(e.getCause());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted", e);
            }
        }

        @Override
        public void onNext(PutResponse value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
            wake();
        }

        @Override
        public void onCompleted() {
            result.complete(response);
            wake();
        }
    }

    /** A download: the artifact's metadata at once, its bytes as they are read. Close it to stop early. */
    public static final class Download extends InputStream {
        private final Context.CancellableContext context = Context.current().withCancellation();
        private final Iterator<GetResponse> stream;
        private final Info info;
        private ByteString chunk = ByteString.EMPTY;
        private int position;
        private boolean finished;

        private Download(MemSidecar client, GetRequest request) {
            Context previous = context.attach();
            try {
                stream = Calls.call(() -> ArtifactGrpc.newBlockingStub(client.channel()).get(request));
                info = Artifacts.info(Calls.call(stream::next).getHeader().getMeta());
            } catch (RuntimeException e) {
                context.cancel(e);
                throw e;
            } finally {
                context.detach(previous);
            }
        }

        /** Size, type, SHA-256 and metadata of the whole artifact. */
        public Info info() {
            return info;
        }

        private boolean fill() {
            while (position == chunk.size()) {
                if (finished || !Calls.call(stream::hasNext)) {
                    finished = true;
                    return false;
                }
                chunk = Calls.call(stream::next).getChunk().getData();
                position = 0;
            }
            return true;
        }

        @Override
        public int read() {
            return fill() ? chunk.byteAt(position++) & 0xff : -1;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            if (len == 0) {
                return 0;
            }
            if (!fill()) {
                return -1;
            }
            int n = Math.min(len, chunk.size() - position);
            chunk.copyTo(b, position, off, n);
            position += n;
            return n;
        }

        /** Cancels the download if it has not been read to its end. */
        @Override
        public void close() {
            if (!finished) {
                context.cancel(null);
            }
        }
    }
}
