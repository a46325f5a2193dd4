package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

/**
 * Generated bad input against a running server — 10 500 requests: gateway JSON bodies, curl
 * paths and headers, tokens, and raw gRPC frames to every method of the contract. Only the status
 * codes of spec §9 come back, never 500 / INTERNAL for bad input; the server keeps answering; and
 * requests that were refused leave the stored state as it was.
 */
class FuzzTest {
    private static TestServer server;
    private static ManagedChannel channel;
    private static HttpClient http;
    private static String token;
    private static final AtomicBoolean WRITE_ACCEPTED = new AtomicBoolean();
    private static String before;

    private static final Set<Integer> HTTP_ALLOWED = Set.of(200, 204, 206, 400, 401, 403, 404, 405, 409, 412, 413, 416, 429);
    private static final Set<Status.Code> GRPC_ALLOWED = Set.of(Status.Code.OK, Status.Code.INVALID_ARGUMENT,
            Status.Code.NOT_FOUND, Status.Code.PERMISSION_DENIED, Status.Code.UNAUTHENTICATED, Status.Code.RESOURCE_EXHAUSTED,
            Status.Code.FAILED_PRECONDITION, Status.Code.OUT_OF_RANGE, Status.Code.UNIMPLEMENTED);
    /** Every method of the wire contract, from the generated service descriptors. */
    private static final List<String> METHODS = java.util.stream.Stream.of(
                    io.memsidecar.proto.kv.v1.KVGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.episodic.v1.EpisodicGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.semantic.v1.SemanticGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.artifact.v1.ArtifactGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.lease.v1.LeaseGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.graph.v1.GraphGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.admin.v1.AdminGrpc.getServiceDescriptor(),
                    io.memsidecar.proto.recall.v1.RecallGrpc.getServiceDescriptor())
            .flatMap(sd -> sd.getMethods().stream()).map(MethodDescriptor::getFullMethodName).toList();

    @BeforeContainer
    static void start() throws Exception {
        server = new TestServer("""
                backends: [ { name: mem, driver: memory } ]
                namespaces:
                  - { block: kv, name: notes, backend: mem, max_items: 100 }
                  - { block: episodic, name: log, backend: mem }
                  - { block: lease, name: locks, backend: mem }
                  - { block: artifact, name: blobs, backend: mem }
                  - { block: graph, name: kg, backend: mem }
                  - { block: semantic, name: facts, backend: mem, embedder: { provider: fake, dimensions: 8 } }
                """, """
                limits: { max_message_bytes: 64KiB }
                policy: { default: allow, rules: [ { name: caps, effect: cap, max: { limit: 500, top_k: 50, depth: 3 } } ] }
                """);
        channel = server.tcpChannel();
        http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        token = server.fullToken();
        TestServer.kv(channel, token).put(PutRequest.newBuilder().setNamespace("notes").setKey("seed")
                .setValue(ByteString.copyFromUtf8("v")).build());
        before = state();
    }

    @AfterContainer
    static void stop() throws Exception {
        // still answering, and what refused requests touched is unchanged
        var kv = TestServer.kv(channel, token);
        assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("seed").build()).getValue().toStringUtf8())
                .isEqualTo("v");
        if (!WRITE_ACCEPTED.get()) {
            assertThat(state()).isEqualTo(before);
        }
        channel.shutdownNow();
        server.close();
        http.close();
    }

    /** What the namespaces hold, as the gateway lists it. */
    private static String state() throws Exception {
        var out = new StringBuilder();
        for (String body : List.of("{\"namespace\":\"notes\",\"includeValues\":true}")) {
            out.append(gateway("memsidecar.kv.v1.KV/Scan", body.getBytes(StandardCharsets.UTF_8), token).body());
        }
        out.append(gateway("memsidecar.episodic.v1.Episodic/Range", "{\"namespace\":\"log\"}".getBytes(StandardCharsets.UTF_8),
                token).body());
        out.append(gateway("memsidecar.graph.v1.Graph/GetNode", "{\"namespace\":\"kg\",\"id\":\"x\"}".getBytes(
                StandardCharsets.UTF_8), token).statusCode());
        return out.toString().replaceAll("\"(createdAt|timestamp)\":\"[^\"]*\"", "");
    }

    private static HttpResponse<String> gateway(String method, byte[] body, String credential) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/" + method))
                .timeout(Duration.ofSeconds(20)).POST(HttpRequest.BodyPublishers.ofByteArray(body));
        if (credential != null) {
            b.header("x-memsidecar-capability", "Bearer " + credential);
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static boolean write(String method) {
        return method.matches(".*/(Put|Delete|Append|Expire|Upsert\\w*|Acquire|Renew|Release|Delete\\w+)$");
    }

    private static void checkHttp(String what, String method, int status, String body) {
        assertThat(status).as("%s -> %s", what, body).isIn(HTTP_ALLOWED);
        if (status == 200 && method != null && write(method)) {
            WRITE_ACCEPTED.set(true);
        }
    }

    @Provide
    Arbitrary<byte[]> jsonish() {
        Arbitrary<String> key = Arbitraries.of("namespace", "key", "value", "id", "limit", "topK", "depth", "records", "nodes",
                "edges", "queryText", "queryVector", "ttl", "ifVersion", "asOf", "startId", "nodeId", "type", "payload");
        Arbitrary<String> value = Arbitraries.oneOf(
                Arbitraries.of("\"notes\"", "\"log\"", "\"kg\"", "\"facts\"", "\"blobs\"", "\"locks\"", "\"\"", "null", "true",
                        "[]", "{}", "-1", "0", "1e309", "-9223372036854775809", "18446744073709551616", "\"\\u0000\"",
                        "\"AAAA\"", "\"***\"", "[1.5, \"x\", null]", "{\"seconds\": -5}", "\"9999-99-99T99:99:99Z\""),
                Arbitraries.strings().ofMaxLength(40).map(s -> "\"" + s.replace("\\", "").replace("\"", "") + "\""),
                Arbitraries.longs().map(n -> Long.toString(n)));
        Arbitrary<String> object = Combinators.combine(key, value).as((k, v) -> "\"" + k + "\":" + v).list().ofMaxSize(5)
                .map(fields -> "{" + String.join(",", fields) + "}");
        Arbitrary<byte[]> mangled = Arbitraries.bytes().array(byte[].class).ofMaxSize(64);
        return Arbitraries.oneOf(object.map(s -> s.getBytes(StandardCharsets.UTF_8)), mangled,
                object.map(s -> s.substring(0, s.length() / 2).getBytes(StandardCharsets.UTF_8)));
    }

    /** Methods that wait by design (a live tail, an acquire with wait_for): a deadline ends them. */
    private static boolean waits(String method) {
        return method.endsWith("/Tail") || method.endsWith("/Acquire");
    }

    @Property(tries = 3000)
    void gatewayBodies(@ForAll("unaryOverHttp") String method, @ForAll("jsonish") byte[] body) throws Exception {
        var res = gateway(method, body, token);
        checkHttp(new String(body, StandardCharsets.UTF_8), method, res.statusCode(), res.body());
    }

    @Provide
    Arbitrary<String> methods() {
        return Arbitraries.of(METHODS);
    }

    @Provide
    Arbitrary<String> unaryOverHttp() {
        return Arbitraries.of(METHODS.stream().filter(m -> !waits(m)).toList());
    }

    @Property(tries = 2500)
    void curlPathsAndHeaders(@ForAll("paths") String path, @ForAll("verbs") String verb, @ForAll("headers") List<String> headers,
                             @ForAll("jsonish") byte[] body) throws Exception {
        var b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path)).timeout(Duration.ofSeconds(20))
                .header("x-memsidecar-capability", "Bearer " + token)
                .method(verb, verb.equals("GET") || verb.equals("HEAD") ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(body));
        for (int i = 0; i + 1 < headers.size(); i += 2) {
            b.header(headers.get(i), headers.get(i + 1));
        }
        var res = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        // a PUT or DELETE that went through changed something legitimately
        checkHttp(verb + " " + path + " " + headers, null, res.statusCode(), res.body());
        if (res.statusCode() / 100 == 2 && !verb.equals("GET") && !verb.equals("HEAD")) {
            WRITE_ACCEPTED.set(true);
        }
    }

    @Provide
    Arbitrary<String> paths() {
        Arbitrary<String> segment = Arbitraries.oneOf(Arbitraries.of("notes", "log", "kg", "facts", "blobs", "nope", "search",
                "nodes", "edges", "neighbors", "traverse", "tail", "..", "%2e%2e", "%00", "%ff%fe", "a%20b", ""),
                Arbitraries.strings().alpha().numeric().ofMaxLength(12));
        Arbitrary<String> query = Arbitraries.of("", "?ttl=-5s", "?ttl=5x", "?k=-1", "?k=99999999999", "?depth=100",
                "?dir=up", "?as_of=never", "?after=-1", "?limit=abc", "?prefix=%00", "?mode=psychic", "?meta=nocolon",
                "?cascade=maybe", "?hard=1", "?q=x&graph=kg&focal=%00&depth=3", "?q=x&mmr=nan&weight=dense:-1",
                "?focal=a&graph=nope");
        return Combinators.combine(Arbitraries.of("/v1/kv/", "/v1/episodic/", "/v1/semantic/", "/v1/artifacts/", "/v1/graph/",
                        "/v1/recall/"),
                segment.list().ofMinSize(1).ofMaxSize(4), query).as((p, s, q) -> p + String.join("/", s) + q);
    }

    @Provide
    Arbitrary<String> verbs() {
        return Arbitraries.of("GET", "PUT", "DELETE", "HEAD", "POST", "PATCH");
    }

    @Provide
    Arbitrary<List<String>> headers() {
        return Arbitraries.of("If-Match", "If-None-Match", "Range", "Content-Type", "X-Expected-Sha256", "traceparent")
                .flatMap(name -> Arbitraries.of("*", "\"7\"", "W/\"1\"", "bytes=5-2", "bytes=-", "bytes=0-99999999999",
                        "text/plain", "zz", "00-zz-zz-01", "\"-1\"").map(v -> List.of(name, v)))
                .list().ofMaxSize(2).map(l -> l.stream().flatMap(List::stream).toList());
    }

    @Property(tries = 2000)
    void tokens(@ForAll("badTokens") String credential) throws Exception {
        var res = gateway("memsidecar.kv.v1.KV/Get", "{\"namespace\":\"notes\",\"key\":\"seed\"}".getBytes(StandardCharsets.UTF_8),
                credential);
        assertThat(res.statusCode()).as(credential).isEqualTo(401);
    }

    @Provide
    Arbitrary<String> badTokens() {
        String good = server.fullToken();
        return Arbitraries.oneOf(
                Arbitraries.integers().between(10, good.length() - 1).map(i -> good.substring(0, i)),
                Arbitraries.integers().between(10, good.length() - 2).map(i -> good.substring(0, i) + (good.charAt(i) == 'A' ? 'B' : 'A')
                        + good.substring(i + 1)),
                Arbitraries.strings().ascii().ofMinLength(1).ofMaxLength(300).filter(s -> !s.isBlank() && s.chars().allMatch(c -> c >= 0x21 && c < 0x7f)),
                Arbitraries.of("v4.public.", "v4.local.AAAA", "eyJhbGciOiJub25lIn0.eyJ0ZW5hbnQiOiJhIn0.", "Bearer", "null"));
    }


    @Property(tries = 3000)
    void grpcFrames(@ForAll("methods") String method, @ForAll("frames") byte[] frame) {
        var descriptor = MethodDescriptor.<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.UNKNOWN)
                .setFullMethodName(method).setRequestMarshaller(RawBytes.MARSHALLER).setResponseMarshaller(RawBytes.MARSHALLER).build();
        var authed = CapabilityHeader.attach(channel, "Bearer " + token);
        Status.Code code;
        try {
            var it = ClientCalls.blockingServerStreamingCall(authed, descriptor,
                    CallOptions.DEFAULT.withDeadlineAfter(waits(method) ? 1 : 20, TimeUnit.SECONDS), frame);
            var drained = new ArrayList<byte[]>();
            while (it.hasNext() && drained.size() < 1000) {
                drained.add(it.next());
            }
            code = Status.Code.OK;
        } catch (StatusRuntimeException e) {
            code = e.getStatus().getCode();
        }
        if (!(waits(method) && code == Status.Code.DEADLINE_EXCEEDED)) {
            assertThat(code).as("%s with %d bytes", method, frame.length).isIn(GRPC_ALLOWED);
        }
        if (code == Status.Code.OK && write(method)) {
            WRITE_ACCEPTED.set(true);
        }
    }

    @Provide
    Arbitrary<byte[]> frames() {
        Arbitrary<byte[]> random = Arbitraries.bytes().array(byte[].class).ofMaxSize(200);
        // a field 1 (namespace) naming a real namespace, then random bytes: reaches the handlers
        Arbitrary<byte[]> seeded = Combinators.combine(Arbitraries.of("notes", "log", "kg", "facts", "blobs", "locks"), random)
                .as((ns, tail) -> {
                    byte[] name = ns.getBytes(StandardCharsets.UTF_8);
                    byte[] out = new byte[2 + name.length + tail.length];
                    out[0] = 0x0a;
                    out[1] = (byte) name.length;
                    System.arraycopy(name, 0, out, 2, name.length);
                    System.arraycopy(tail, 0, out, 2 + name.length, tail.length);
                    return out;
                });
        return Arbitraries.oneOf(random, seeded);
    }
}
