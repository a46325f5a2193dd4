package io.memsidecar.tests;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code server/target/memsidecar/bin/memsidecar}) as a separate process,
 * so tests can run several sidecars and kill one with SIGKILL. The port comes from its "listening"
 * log line, so configs can bind port 0.
 */
final class ServerProcess implements AutoCloseable {
    /** The start-up line of the TCP gRPC listener (gRPC + HTTP on Helidon, gRPC alone on Netty), with its port. */
    private static final Pattern READY = Pattern.compile(
            "\"msg\":\"listening\",\"transport\":\"grpc(?:\\+http)?\",\"addr\":\"[^\"]*:(\\d+)\"");

    final Process process;
    final int port;

    private ServerProcess(Process process, int port) {
        this.process = process;
        this.port = port;
    }

    static Path launcher() {
        return Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar");
    }

    /** Starts {@code bin/memsidecar ARGS} with {@code env} added, and waits until it is ready. */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<String>();
        command.add(launcher().toString());
        command.addAll(java.util.List.of(args));
        var pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.environment().putAll(env);
        Process p = pb.start();
        var port = new CompletableFuture<Integer>();
        Thread.ofVirtual().start(() -> {
            try (var err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = err.readLine()) != null) {
                    Matcher m = READY.matcher(line);
                    if (m.find()) {
                        port.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // process gone
            }
            port.completeExceptionally(new IllegalStateException("server exited before it was ready"));
        });
        try {
            return new ServerProcess(p, port.get(60, TimeUnit.SECONDS));
        } catch (Exception e) {
            p.destroyForcibly();
            throw new IllegalStateException("server did not become ready", e);
        }
    }

    /** SIGKILL: no shutdown hook, no cleanup, as a crash or an OOM kill. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() throws InterruptedException {
        if (process.isAlive()) {
            process.destroy();
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        }
    }
}
