package io.memsidecar.tests.bench;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactMeta;
import io.memsidecar.proto.artifact.v1.ArtifactRef;
import io.memsidecar.proto.artifact.v1.GetChunk;
import io.memsidecar.proto.artifact.v1.GetHeader;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The streams benchmark's bound for the transport alone ({@link GrpcBaseline} serves it):
 * {@code memsidecar.artifact.v1.Artifact} Put and Get from memory on plain grpc-java — no disk, no
 * hash, no auth. Get sends the header, then the sidecar's 64 KiB chunks as fast as the client's flow
 * control allows (the onReady loop grpc-java documents for server streams).
 */
final class InMemoryArtifacts extends ArtifactGrpc.ArtifactImplBase {
    private static final int CHUNK = 64 * 1024;
    private final Map<String, ByteString> blobs = new ConcurrentHashMap<>();

    @Override
    public StreamObserver<PutRequest> put(StreamObserver<PutResponse> out) {
        return new StreamObserver<>() {
            private String key;
            private ByteString data = ByteString.EMPTY;

            @Override
            public void onNext(PutRequest request) {
                if (request.hasInit()) {
                    key = key(request.getInit().getNamespace(), request.getInit().getId());
                } else {
                    data = data.concat(request.getChunk().getData());
                }
            }

            @Override
            public void onError(Throwable t) {
                // the client gave up: nothing is stored
            }

            @Override
            public void onCompleted() {
                blobs.put(key, data);
                out.onNext(PutResponse.newBuilder().setRef(ArtifactRef.newBuilder().setId(key).setSize(data.size()))
                        .build());
                out.onCompleted();
            }
        };
    }

    @Override
    public void get(GetRequest request, StreamObserver<GetResponse> out) {
        ByteString data = blobs.get(key(request.getNamespace(), request.getId()));
        if (data == null) {
            out.onError(Status.NOT_FOUND.asRuntimeException());
            return;
        }
        var call = (ServerCallStreamObserver<GetResponse>) out;
        call.onNext(GetResponse.newBuilder().setHeader(GetHeader.newBuilder()
                .setMeta(ArtifactMeta.newBuilder().setId(request.getId()).setSize(data.size()))).build());
        call.setOnReadyHandler(new Runnable() {
            private int sent;
            private boolean done;

            @Override
            public void run() {
                while (call.isReady() && sent < data.size()) {
                    int end = Math.min(sent + CHUNK, data.size());
                    call.onNext(GetResponse.newBuilder()
                            .setChunk(GetChunk.newBuilder().setData(data.substring(sent, end))).build());
                    sent = end;
                }
                if (sent == data.size() && !done) {
                    done = true;
                    call.onCompleted();
                }
            }
        });
    }

    private static String key(String namespace, String id) {
        return namespace + "\u001e" + id;
    }
}
