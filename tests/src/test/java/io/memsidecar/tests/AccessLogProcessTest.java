package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The access log is written by a background writer in batches; none of it is lost at an ordinary
 * stop: N calls, then SIGTERM, then N lines. With {@code logging.access_sample} every failed call is
 * still logged and only a share of the successful ones.
 */
class AccessLogProcessTest {
    @TempDir
    Path dir;

    private ServerProcess start(String logging) throws Exception {
        Path config = dir.resolve("c.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0" }, shutdown_timeout: 5s }
                logging: %s
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: kv, name: notes, backend: mem } ]
                """.formatted(logging, keys[1]));
        return ServerProcess.start(Map.of(), "--config", config.toString());
    }

    private final String[] keys = Ed25519Keys.generateHex();

    private String token() {
        return CapabilityTokens.paseto(Ed25519Keys.privateKey(keys[0]), new CapabilityTokens.Grant("acme", "a",
                List.of("*"), List.of("*"), Duration.ofMinutes(5), ""), Instant.now());
    }

    /** Puts {@code ok} values and {@code bad} empty keys (INVALID_ARGUMENT), then SIGTERM; the access lines. */
    private List<String> callThenStop(String logging, int ok, int bad) throws Exception {
        var server = start(logging);
        var ch = NettyChannelBuilder.forAddress("127.0.0.1", server.port).usePlaintext().build();
        try {
            var kv = TestServer.kv(ch, token());
            for (int i = 0; i < ok; i++) {
                kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("k" + i).setValue(ByteString.copyFromUtf8("v")).build());
            }
            for (int i = 0; i < bad; i++) {
                try {
                    kv.put(PutRequest.newBuilder().setNamespace("notes").setValue(ByteString.copyFromUtf8("v")).build());
                } catch (StatusRuntimeException expected) {
                    // key required
                }
            }
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
        server.process.destroy(); // SIGTERM
        assertThat(server.process.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(server.process.exitValue()).isZero();
        var lines = server.stderr();
        server.close();
        return lines.stream().filter(l -> l.contains("\"msg\":\"rpc\"") && l.contains("/memsidecar.kv.v1.KV/Put")).toList();
    }

    @Test
    void everyCallsLineIsWrittenBeforeTheProcessEnds() throws Exception {
        var lines = callThenStop("{ level: info, access: true }", 2000, 0);
        assertThat(lines).hasSize(2000).allSatisfy(l -> assertThat(l).contains("\"code\":\"OK\"", "\"tenant\":\"acme\""));
    }

    @Test
    void aSampledLogKeepsEveryFailure() throws Exception {
        var lines = callThenStop("{ level: info, access: true, access_sample: 0.5 }", 400, 50);
        assertThat(lines.stream().filter(l -> l.contains("\"code\":\"INVALID_ARGUMENT\""))).hasSize(50);
        assertThat(lines.stream().filter(l -> l.contains("\"code\":\"OK\"")).count()).isBetween(100L, 300L);
    }
}
