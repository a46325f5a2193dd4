package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;

/**
 * A client-streaming artifact Put that honours gRPC flow control (sends only while the transport
 * is ready), shared by the artifact benchmark and the process tests.
 */
public final class ArtifactUpload {
    /** Fills {@code buffer} with the next chunk; returns its length, or -1 at the end. */
    public interface Chunks {
        int next(byte[] buffer) throws IOException;
    }

    private ArtifactUpload() {
    }

    public static CompletableFuture<PutResponse> put(ArtifactGrpc.ArtifactStub stub, PutInit init, int chunkSize,
                                                     Chunks chunks) {
        var done = new CompletableFuture<PutResponse>();
        stub.put(new ClientResponseObserver<PutRequest, PutResponse>() {
            private final byte[] buffer = new byte[chunkSize];
            private boolean initSent;
            private boolean finished;

            @Override
            public void beforeStart(ClientCallStreamObserver<PutRequest> requests) {
                requests.setOnReadyHandler(() -> {
                    try {
                        if (!initSent) {
                            requests.onNext(PutRequest.newBuilder().setInit(init).build());
                            initSent = true;
                        }
                        while (requests.isReady() && !finished) {
                            int n = chunks.next(buffer);
                            if (n < 0) {
                                finished = true;
                                requests.onCompleted();
                                return;
                            }
                            requests.onNext(PutRequest.newBuilder().setChunk(PutChunk.newBuilder()
                                    .setData(ByteString.copyFrom(buffer, 0, n))).build());
                        }
                    } catch (IOException e) {
                        finished = true;
                        requests.onError(e);
                    }
                });
            }

            @Override
            public void onNext(PutResponse r) {
                done.complete(r);
            }

            @Override
            public void onError(Throwable t) {
                done.completeExceptionally(t);
            }

            @Override
            public void onCompleted() {
            }
        });
        return done;
    }
}
