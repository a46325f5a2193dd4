package io.memsidecar.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged server ({@code server/target/memsidecar/bin/memsidecar}) as a separate process,
 * so tests can run several sidecars and kill one with SIGKILL. The port comes from its "listening"
 * log line, so configs can bind port 0. Its stderr goes to a file: a pipe read by the test lost the
 * last lines a process wrote as it exited (the JDK drains an exited process's pipe on its reaper thread).
 */
final class ServerProcess implements AutoCloseable {
    /** The start-up line of the TCP gRPC listener (gRPC + HTTP on Helidon, gRPC alone on Netty), with its port. */
    private static final Pattern READY = Pattern.compile(
            "\"msg\":\"listening\",\"transport\":\"grpc(?:\\+http)?\",\"addr\":\"[^\"]*:(\\d+)\"");

    final Process process;
    final int port;
    private final Path stderr;

    private ServerProcess(Process process, int port, Path stderr) {
        this.process = process;
        this.port = port;
        this.stderr = stderr;
    }

    static Path launcher() {
        return Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memsidecar");
    }

    /** Starts {@code bin/memsidecar ARGS} with {@code env} added, and waits until it is ready. */
    static ServerProcess start(Map<String, String> env, String... args) throws IOException, InterruptedException {
        var command = new java.util.ArrayList<String>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        Path log = Files.createTempFile("memsidecar-stderr-", ".log");
        var pb = new ProcessBuilder(command).redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(log.toFile());
        pb.environment().putAll(env);
        Process p = pb.start();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            Matcher m = READY.matcher(Files.readString(log, StandardCharsets.UTF_8));
            if (m.find()) {
                return new ServerProcess(p, Integer.parseInt(m.group(1)), log);
            }
            if (!p.isAlive()) {
                break;
            }
            Thread.sleep(50);
        }
        p.destroyForcibly();
        throw new IllegalStateException("server did not become ready: " + Files.readString(log, StandardCharsets.UTF_8));
    }

    /** Every line the server has written on stderr so far (its logs, the access log among them). */
    List<String> stderr() throws IOException {
        return Files.readAllLines(stderr, StandardCharsets.UTF_8);
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
        try {
            Files.deleteIfExists(stderr);
        } catch (IOException ignored) {
            // a temporary file
        }
    }
}
