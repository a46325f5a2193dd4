package io.memsidecar.tests;

import io.memsidecar.tokens.Ed25519Keys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.memsidecar.core.Code;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.ScanRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KV against a real server over every transport: gRPC on TCP, gRPC on the Unix socket, and the
 * HTTP gateway. The same scenario must give the same codes everywhere, and a rejected call must
 * leave stored data exactly as it was.
 */
class KvEndToEndTest {
    static final String NAMESPACES = """
            backends:
              - { name: mem, driver: memory }
            namespaces:
              - { block: kv, name: notes, backend: mem }
              - { block: kv, name: other, backend: mem }
              - { block: kv, name: secret-plans, backend: mem }
              - { block: kv, name: limited, backend: mem }
              - { block: kv, name: capped, backend: mem, max_items: 1 }
            """;
    static final String POLICY = """
            policy:
              default: allow
              rules:
                - name: no-secrets
                  effect: deny
                  match: { namespace: ["secret-*"] }
                - name: scan-cap
                  effect: cap
                  match: { op: ["kv.scan"] }
                  max: { limit: 100 }
                - name: slow-lane
                  effect: rate_limit
                  match: { namespace: ["limited"] }
                  bucket: { per_namespace: true, rate_per_second: 0.001, burst: 2 }
            """;

    private TestServer server;

    @BeforeEach
    void start() {
        server = new TestServer(NAMESPACES, POLICY);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private KvClient client(String transport, String token) {
        return switch (transport) {
            case "grpc" -> KvClient.grpc(server.tcpChannel(), token);
            case "uds" -> KvClient.grpc(server.udsChannel(), token);
            case "http" -> KvClient.gateway(server.port(), token);
            default -> throw new IllegalArgumentException(transport);
        };
    }

    private static PutRequest put(String ns, String key, String value) {
        return PutRequest.newBuilder().setNamespace(ns).setKey(key).setValue(ByteString.copyFromUtf8(value)).build();
    }

    private static GetRequest get(String ns, String key) {
        return GetRequest.newBuilder().setNamespace(ns).setKey(key).build();
    }

    private static void assertFails(Runnable call, Code code, int httpStatus, String transport) {
        assertThatThrownBy(call::run).isInstanceOfSatisfying(KvClient.CallFailed.class, e -> {
            assertThat(e.failure.code()).as(e.getMessage()).isEqualTo(code);
            if (transport.equals("http")) {
                assertThat(e.failure.httpStatus()).isEqualTo(httpStatus);
            }
        });
    }

    /** The stored record, read with a full token: the reference for "nothing changed". */
    private GetResponse stored(String ns, String key) {
        try (var c = client("grpc", server.fullToken())) {
            return c.get(get(ns, key));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void putGetScanDeleteRoundTrip(String transport) {
        try (var c = client(transport, server.fullToken())) {
            var first = c.put(PutRequest.newBuilder(put("notes", "a/1", "one")).setContentType("text/plain")
                    .putMetadata("by", "test").setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(60)).build());
            assertThat(first.getVersion()).isEqualTo(1);
            assertThat(first.hasExpiresAt()).isTrue();
            assertThat(c.put(put("notes", "a/1", "uno")).getVersion()).isEqualTo(2);
            c.put(put("notes", "a/2", "two"));
            c.put(put("notes", "b/1", "other prefix"));

            GetResponse got = c.get(get("notes", "a/1"));
            assertThat(got.getFound()).isTrue();
            assertThat(got.getValue().toStringUtf8()).isEqualTo("uno");
            assertThat(got.getVersion()).isEqualTo(2);
            assertThat(got.hasExpiresAt()).isFalse();
            assertThat(got.getCreatedAt()).isEqualTo(first.getCreatedAt());

            List<KVItem> items = c.scan(ScanRequest.newBuilder().setNamespace("notes").setKeyPrefix("a/")
                    .setIncludeValues(true).build());
            assertThat(items).extracting(KVItem::getKey).containsExactly("a/1", "a/2");
            assertThat(items.get(1).getValue().toStringUtf8()).isEqualTo("two");

            assertThat(c.delete(DeleteRequest.newBuilder().setNamespace("notes").setKey("a/1").build()).getExisted()).isTrue();
            assertThat(c.get(get("notes", "a/1")).getFound()).isFalse();
            assertThat(c.get(get("notes", "never")).getFound()).isFalse();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void casMismatchIsFailedPreconditionAndKeepsTheValue(String transport) {
        try (var c = client(transport, server.fullToken())) {
            c.put(put("notes", "k", "v1"));
            assertFails(() -> c.put(PutRequest.newBuilder(put("notes", "k", "v2")).setIfVersion(7).build()),
                    Code.FAILED_PRECONDITION, 400, transport);
            assertFails(() -> c.put(PutRequest.newBuilder(put("notes", "k", "v2")).setIfVersion(0).build()),
                    Code.FAILED_PRECONDITION, 400, transport);
            assertThat(c.put(PutRequest.newBuilder(put("notes", "k", "v2")).setIfVersion(1).build()).getVersion()).isEqualTo(2);
        }
        assertThat(stored("notes", "k").getValue().toStringUtf8()).isEqualTo("v2");
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void authFailuresAreUnauthenticatedAndChangeNothing(String transport) {
        try (var c = client("grpc", server.fullToken())) {
            c.put(put("notes", "k", "original"));
        }
        String otherKey = TestServer.token(io.memsidecar.tokens.Ed25519Keys.generateHex()[0], List.of("*"), List.of("*"),
                Duration.ofMinutes(5), Instant.now());
        String expired = TestServer.token(server.secretHex, List.of("*"), List.of("*"), Duration.ofMinutes(1),
                Instant.now().minus(Duration.ofHours(1)));
        String tampered = server.fullToken();
        tampered = tampered.substring(0, tampered.length() - 4) + (tampered.endsWith("AAAA") ? "BBBB" : "AAAA");
        for (String token : new String[] {null, "", "not-a-token", otherKey, expired, tampered}) {
            try (var c = client(transport, token)) {
                assertFails(() -> c.put(put("notes", "k", "overwritten")), Code.UNAUTHENTICATED, 401, transport);
                assertFails(() -> c.get(get("notes", "k")), Code.UNAUTHENTICATED, 401, transport);
                assertFails(() -> c.scan(ScanRequest.newBuilder().setNamespace("notes").build()),
                        Code.UNAUTHENTICATED, 401, transport);
            }
        }
        assertThat(stored("notes", "k").getValue().toStringUtf8()).isEqualTo("original");
        assertThat(stored("notes", "k").getVersion()).isEqualTo(1);
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void scopeFailuresArePermissionDenied(String transport) {
        try (var c = client("grpc", server.fullToken())) {
            c.put(put("other", "k", "original"));
        }
        try (var c = client(transport, server.token(List.of("kv/notes"), List.of("kv.get", "kv.put")))) {
            assertFails(() -> c.put(put("other", "k", "x")), Code.PERMISSION_DENIED, 403, transport);
            assertFails(() -> c.get(get("other", "k")), Code.PERMISSION_DENIED, 403, transport);
            assertFails(() -> c.delete(DeleteRequest.newBuilder().setNamespace("notes").setKey("k").build()),
                    Code.PERMISSION_DENIED, 403, transport);
            assertFails(() -> c.scan(ScanRequest.newBuilder().setNamespace("notes").build()),
                    Code.PERMISSION_DENIED, 403, transport);
            assertThat(c.put(put("notes", "mine", "ok")).getVersion()).isEqualTo(1);
        }
        try (var c = client(transport, server.token(List.of("kv/*"), List.of("inspect", "get")))) {
            assertThat(c.get(get("other", "k")).getFound()).isTrue();
        }
        assertThat(stored("other", "k").getValue().toStringUtf8()).isEqualTo("original");
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void policyDenyCapAndRateLimit(String transport) {
        try (var c = client(transport, server.fullToken())) {
            assertFails(() -> c.put(put("secret-plans", "k", "x")), Code.PERMISSION_DENIED, 403, transport);
            assertFails(() -> c.get(get("secret-plans", "k")), Code.PERMISSION_DENIED, 403, transport);

            assertFails(() -> c.scan(ScanRequest.newBuilder().setNamespace("notes").setLimit(101).build()),
                    Code.RESOURCE_EXHAUSTED, 429, transport);
            assertThat(c.scan(ScanRequest.newBuilder().setNamespace("notes").setLimit(100).build())).isEmpty();

            c.put(put("limited", "k", "1"));
            c.put(put("limited", "k", "2"));
            assertFails(() -> c.put(put("limited", "k", "3")), Code.RESOURCE_EXHAUSTED, 429, transport);
            assertThat(stored("notes", "never").getFound()).isFalse();
        }
        // The bucket is per namespace: the rejected write did not land.
        try (var c = client("grpc", server.fullToken())) {
            assertFails(() -> c.get(get("limited", "k")), Code.RESOURCE_EXHAUSTED, 429, "grpc");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"grpc", "uds", "http"})
    void badInputIsInvalidArgumentOrNotFound(String transport) {
        try (var c = client(transport, server.fullToken())) {
            c.put(put("notes", "k", "original"));
            assertFails(() -> c.put(put("notes", "", "x")), Code.INVALID_ARGUMENT, 400, transport);
            assertFails(() -> c.get(get("notes", "")), Code.INVALID_ARGUMENT, 400, transport);
            assertFails(() -> c.put(put("notes", "nul\0key", "x")), Code.INVALID_ARGUMENT, 400, transport);
            assertFails(() -> c.put(put("notes", "k".repeat(1025), "x")), Code.INVALID_ARGUMENT, 400, transport);
            assertFails(() -> c.put(PutRequest.newBuilder(put("notes", "k", "x"))
                            .setTtl(com.google.protobuf.Duration.newBuilder().setSeconds(-1)).build()),
                    Code.INVALID_ARGUMENT, 400, transport);
            assertFails(() -> c.put(put("nope", "k", "x")), Code.NOT_FOUND, 404, transport);
            c.put(put("capped", "one", "x"));
            assertFails(() -> c.put(put("capped", "two", "x")), Code.RESOURCE_EXHAUSTED, 429, transport);
        }
        assertThat(stored("notes", "k").getValue().toStringUtf8()).isEqualTo("original");
        assertThat(stored("notes", "k").getVersion()).isEqualTo(1);
        assertThat(stored("capped", "two").getFound()).isFalse();
    }

    @Test
    void malformedProtobufIsInvalidArgument() {
        ManagedChannel ch = server.tcpChannel();
        try {
            MethodDescriptor<byte[], byte[]> raw = KVGrpc.getPutMethod().toBuilder(RawBytes.MARSHALLER, RawBytes.MARSHALLER).build();
            ClientCall<byte[], byte[]> call = CapabilityHeader.attach(ch, server.fullToken()).newCall(raw, CallOptions.DEFAULT
                    .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS));
            assertThatThrownBy(() -> ClientCalls.blockingUnaryCall(call, new byte[] {(byte) 0xff, 0x01, 0x02}))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.INVALID_ARGUMENT));
        } finally {
            ch.shutdownNow();
        }
    }

    @Test
    void malformedJsonOnTheGatewayIsBadRequest() throws Exception {
        var http = java.net.http.HttpClient.newHttpClient();
        Consumer<String> expect400 = body -> {
            try {
                var res = http.send(java.net.http.HttpRequest.newBuilder(
                                java.net.URI.create("http://127.0.0.1:" + server.port() + "/memsidecar.kv.v1.KV/Put"))
                        .header("x-memsidecar-capability", server.fullToken())
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString(body)).build(),
                        java.net.http.HttpResponse.BodyHandlers.ofString());
                assertThat(res.statusCode()).as(body).isEqualTo(400);
                assertThat(Json.parse(res.body()).get("code").asInt()).isEqualTo(3);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        };
        expect400.accept("{not json");
        expect400.accept("{\"namespace\": {\"nested\": 1}, \"key\": \"k\"}");
        expect400.accept("{\"namespace\":\"notes\",\"key\":\"k\",\"value\":\"***not base64***\"}");
        assertThat(stored("notes", "k").getFound()).isFalse();
        var unknown = http.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create("http://127.0.0.1:" + server.port() + "/memsidecar.graph.v1.Graph/Nope"))
                .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).build(),
                java.net.http.HttpResponse.BodyHandlers.ofString());
        assertThat(unknown.statusCode()).isEqualTo(404);
        http.close();
    }

}
