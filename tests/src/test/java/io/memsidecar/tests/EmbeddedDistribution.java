package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** The packaged distribution on its embedded default (random ports), on a data directory that can outlive it. */
final class EmbeddedDistribution implements AutoCloseable {
    private static final Pattern PORT = Pattern.compile("http://127\\.0\\.0\\.1:(\\d+)/v1/kv/scratchpad/greeting");

    final Process process;
    final int port;
    final String token;

    EmbeddedDistribution(Path dataDir) throws Exception {
        var pb = new ProcessBuilder(ServerProcess.launcher().toString()).redirectError(ProcessBuilder.Redirect.DISCARD);
        pb.environment().put("MEMSIDECAR_DATA_DIR", dataDir.toString());
        pb.environment().put("MEMSIDECAR_SERVER__GRPC__TCP", "127.0.0.1:0");
        pb.environment().put("MEMSIDECAR_METRICS__PROMETHEUS__ADDR", "127.0.0.1:0");
        process = pb.start();
        var out = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
        int found = 0;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        for (String line; found == 0 && System.nanoTime() < deadline && (line = out.readLine()) != null; ) {
            Matcher m = PORT.matcher(line);
            if (m.find()) {
                found = Integer.parseInt(m.group(1));
            }
        }
        assertThat(found).as("the embedded default started").isPositive();
        port = found;
        token = Files.readString(dataDir.resolve("token")).strip();
        Thread.ofVirtual().start(() -> out.lines().forEach(l -> { })); // keep its stdout drained
    }

    String target() {
        return "127.0.0.1:" + port;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(30, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }
}
