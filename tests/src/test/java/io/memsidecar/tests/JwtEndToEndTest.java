package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.server.MemsidecarServer;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.tokens.Ed25519Keys;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** auth.verifier: jwt (HS256) with a token minted by the packaged memctl. */
class JwtEndToEndTest {
    private static final String SECRET = "a-shared-secret-of-at-least-32-bytes!";

    @TempDir
    Path dir;

    private static String memctl(Map<String, String> env, String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of(Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memctl").toString()));
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void aJwtMintedByMemctlAuthenticatesOnGrpcAndHttpAndPasetoDoesNot() throws Exception {
        Path config = dir.resolve("jwt.yaml");
        Files.writeString(config, """
                server: { grpc: { tcp: "127.0.0.1:0" } }
                auth:
                  verifier: jwt
                  jwt: { alg: HS256, secret_env: MEMSIDECAR_TEST_JWT_SECRET }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: kv, name: notes, backend: mem } ]
                """);
        String jwt = memctl(Map.of("MEMSIDECAR_JWT_SECRET", SECRET), "token", "issue", "--format", "jwt", "--tenant", "acme",
                "--agent", "bot", "--ns", "kv/notes", "--ops", "kv.get,kv.put", "--ttl", "10m");
        assertThat(jwt).matches("[\\w-]+\\.[\\w-]+\\.[\\w-]+");
        try (var server = MemsidecarServer.start(ConfigLoader.load(Optional.of(config),
                Map.of("MEMSIDECAR_TEST_JWT_SECRET", SECRET)))) {
            var channel = io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress("127.0.0.1", server.port())
                    .usePlaintext().build();
            try {
                var kv = TestServer.kv(channel, jwt);
                kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()).getFound()).isTrue();
                String paseto = TestServer.token(io.memsidecar.tokens.Ed25519Keys.generateHex()[0], List.of("*"), List.of("*"),
                        java.time.Duration.ofMinutes(5), java.time.Instant.now());
                assertThatThrownBy(() -> TestServer.kv(channel, paseto).get(GetRequest.newBuilder().setNamespace("notes")
                        .setKey("k").build())).isInstanceOfSatisfying(StatusRuntimeException.class,
                        e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED));
                assertThatThrownBy(() -> kv.put(PutRequest.newBuilder().setNamespace("other").setKey("k").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
            } finally {
                channel.shutdownNow();
            }
            try (var http = HttpClient.newHttpClient()) {
                var get = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/v1/kv/notes/k"))
                        .header("x-memsidecar-capability", "Bearer " + jwt).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(get.statusCode()).isEqualTo(200);
                assertThat(get.body()).isEqualTo("v");
            }
        }
        assertThatThrownBy(() -> ConfigLoader.load(Optional.of(config), Map.of()))
                .hasMessageContaining("auth.jwt.secret_env").hasMessageContaining("is empty");
    }
}
