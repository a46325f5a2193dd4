package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.Context;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Frames a client legitimately sends after the server has ended a stream must not cost the
 * connection: a cancel (RST_STREAM) that crosses the server's trailers, and request DATA still on its
 * way when the server answered a client stream early. Both were seen as flaky tests (UNKNOWN "channel
 * closed", GOAWAY for every call on the connection) and traced to Helidon 4.5.0's HTTP/2 server, which
 * answers a late RST_STREAM with a PROTOCOL_ERROR GOAWAY (docs/failure-behaviour.md, "Frames after a
 * stream ended"). The default TCP transport (grpc-netty) is not affected; early answers are checked on
 * both transports.
 */
class LateFramesTest {
    private static final String CONFIG = """
            backends: [ { name: mem, driver: memory } ]
            namespaces:
              - { block: artifact, name: blobs, backend: mem }
              - { block: episodic, name: log, backend: mem }
            """;
    private static final AppendRequest APPEND = AppendRequest.newBuilder().setNamespace("log").setType("t").build();

    @Test
    void cancelsCrossingTheEndOfAStreamLeaveTheConnectionServing() throws Exception {
        try (var server = new TestServer(CONFIG, "")) {
            var ch = server.tcpChannel();
            try {
                var episodic = EpisodicGrpc.newBlockingStub(CapabilityHeader.attach(ch, server.fullToken()));
                var append = APPEND;
                for (int i = 0; i < 5; i++) {
                    episodic.append(append);
                }
                var outcomes = new TreeMap<String, Integer>();
                for (int i = 0; i < 300; i++) {
                    // a Range cancelled after its first event: the cancel crosses the server's end of stream
                    var ctx = Context.current().withCancellation();
                    ctx.run(() -> {
                        episodic.range(RangeRequest.newBuilder().setNamespace("log").setLimit(5).build()).next();
                        ctx.cancel(null);
                    });
                    // the next call on the same connection
                    outcomes.merge(call(() -> episodic.withDeadlineAfter(5, TimeUnit.SECONDS).append(append)), 1, Integer::sum);
                }
                assertThat(outcomes).as("calls after cancels that crossed the end of a stream").isEqualTo(Map.of("OK", 300));
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"netty", "helidon"})
    void earlyAnswersToClientStreamsLeaveTheConnectionServing(String transport) throws Exception {
        try (var server = TestServer.withEnv(CONFIG, Map.of("MEMSIDECAR_SERVER__GRPC__TRANSPORT", transport))) {
            var ch = server.tcpChannel();
            try {
                var episodic = EpisodicGrpc.newBlockingStub(CapabilityHeader.attach(ch, server.fullToken()));
                var append = APPEND;
                var outcomes = new TreeMap<String, Integer>();
                var artifacts = ArtifactGrpc.newStub(CapabilityHeader.attach(ch, server.fullToken()));
                var chunk = PutRequest.newBuilder().setChunk(PutChunk.newBuilder().setData(ByteString.copyFrom(new byte[64 * 1024])))
                        .build();
                var answers = new TreeMap<String, Integer>();
                for (int i = 0; i < 100; i++) {
                    // a chunk before the init is refused at once, while 1 MiB more is still on its way
                    var done = new CompletableFuture<Status>();
                    StreamObserver<PutRequest> put = artifacts.withDeadlineAfter(10, TimeUnit.SECONDS).put(new StreamObserver<PutResponse>() {
                        public void onNext(PutResponse r) {
                        }

                        public void onError(Throwable t) {
                            done.complete(Status.fromThrowable(t));
                        }

                        public void onCompleted() {
                            done.complete(Status.OK);
                        }
                    });
                    for (int c = 0; c < 16; c++) {
                        put.onNext(chunk);
                    }
                    put.onNext(PutRequest.newBuilder().setInit(PutInit.newBuilder().setNamespace("blobs").setId("x")).build());
                    put.onCompleted();
                    answers.merge(done.get(20, TimeUnit.SECONDS).getCode().name(), 1, Integer::sum);
                    outcomes.merge(call(() -> episodic.withDeadlineAfter(5, TimeUnit.SECONDS).append(append)), 1, Integer::sum);
                }
                assertThat(answers).as("client streams answered early").isEqualTo(Map.of("INVALID_ARGUMENT", 100));
                assertThat(outcomes).as("calls after them on the same connection").isEqualTo(Map.of("OK", 100));
            } finally {
                ch.shutdownNow();
            }
        }
    }

    private static String call(Runnable r) {
        try {
            r.run();
            return "OK";
        } catch (StatusRuntimeException e) {
            return e.getStatus().getCode() + " " + e.getStatus().getDescription();
        }
    }
}
