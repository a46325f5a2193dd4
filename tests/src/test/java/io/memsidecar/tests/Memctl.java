package io.memsidecar.tests;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/** The packaged {@code bin/memctl}, run as a user runs it: a subprocess with arguments, environment and stdin. */
final class Memctl {
    record Result(int exit, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exit + "\nstdout: " + out + "\nstderr: " + err;
        }
    }

    private final Map<String, String> env;

    /** {@code env}: MEMSIDECAR_ADDR, MEMSIDECAR_TOKEN, … */
    Memctl(Map<String, String> env) {
        this.env = Map.copyOf(env);
    }

    static Path launcher() {
        return Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memctl");
    }

    ProcessBuilder builder(String... args) {
        var command = new ArrayList<String>();
        command.add(launcher().toString());
        command.addAll(List.of(args));
        var pb = new ProcessBuilder(command);
        pb.environment().remove("MEMSIDECAR_TOKEN");
        pb.environment().remove("MEMSIDECAR_ADDR");
        pb.environment().putAll(env);
        return pb;
    }

    Result run(String... args) throws IOException, InterruptedException {
        return runWithInput(new byte[0], args);
    }

    Result runWithInput(byte[] stdin, String... args) throws IOException, InterruptedException {
        Process p = builder(args).start();
        var out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
        var err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
        try (var in = p.getOutputStream()) {
            in.write(stdin);
        }
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("memctl " + String.join(" ", args) + " did not end");
        }
        return new Result(p.exitValue(), new String(out.join(), StandardCharsets.UTF_8),
                new String(err.join(), StandardCharsets.UTF_8));
    }

    private static byte[] read(java.io.InputStream in) {
        try (in) {
            return in.readAllBytes();
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
