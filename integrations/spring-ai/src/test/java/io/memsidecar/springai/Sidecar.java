package io.memsidecar.springai;

import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server (server/target/memsidecar) as a process, so that these tests run with
 * Spring's class path and nothing of the server's. Its own key pair; tokens minted here.
 */
final class Sidecar implements AutoCloseable {
    private static final Pattern READY = Pattern.compile("\"msg\":\"listening\",\"transport\":\"grpc\\+http\",\"addr\":\"[^\"]*:(\\d+)\"");

    final Process process;
    final int port;
    private final String secretHex;
    private final Path config;

    Sidecar(String namespacesYaml) throws Exception {
        String[] keys = Ed25519Keys.generateHex();
        this.secretHex = keys[0];
        config = Files.writeString(Files.createTempFile("memsidecar-spring", ".yaml"), """
                server:
                  grpc: { tcp: "127.0.0.1:0" }
                  shutdown_timeout: 2s
                auth:
                  paseto: { public_key_hexes: ["%s"] }
                backends:
                  - { name: mem, driver: memory }
                namespaces:
                %s""".formatted(keys[1], namespacesYaml));
        Path launcher = Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar");
        process = new ProcessBuilder(launcher.toString(), "--config", config.toString())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        var port = new CompletableFuture<Integer>();
        Thread.ofVirtual().start(() -> {
            try (var err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (Exception ignored) {
                // gone
            }
            port.completeExceptionally(new IllegalStateException("the sidecar exited before it was ready"));
        });
        this.port = port.get(90, TimeUnit.SECONDS);
    }

    String token(List<String> namespaces) {
        return CapabilityTokens.paseto(Ed25519Keys.privateKey(secretHex),
                new CapabilityTokens.Grant("acme", "spring", namespaces, List.of("*"), Duration.ofHours(1), ""), Instant.now());
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        process.waitFor(30, TimeUnit.SECONDS);
        Files.deleteIfExists(config);
    }
}
