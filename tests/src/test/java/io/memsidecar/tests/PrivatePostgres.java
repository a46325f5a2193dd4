package io.memsidecar.tests;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A PostgreSQL server of the test's own (initdb into a temporary directory, Debian's binaries under
 * /usr/lib/postgresql, pgvector from the system's extension directory), so a test can restart or
 * crash it without disturbing the shared test database. PostgreSQL refuses to run as root: as root
 * its commands run as the {@code postgres} user.
 */
final class PrivatePostgres implements AutoCloseable {
    private final Path bin;
    private final Path dir;
    private final int port;
    private final boolean root;

    PrivatePostgres() throws IOException, InterruptedException {
        this.bin = binaries();
        this.root = "0".equals(run(List.of("id", "-u")).trim());
        this.dir = Files.createTempDirectory("memsidecar-pg");
        try (var s = new ServerSocket(0)) {
            this.port = s.getLocalPort();
        }
        if (root) {
            run(List.of("chown", "postgres:postgres", dir.toString()));
        }
        asOwner(bin.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-A", "trust", "-U", "postgres",
                "--no-sync");
        start();
    }

    private static Path binaries() throws IOException {
        try (Stream<Path> versions = Files.list(Path.of("/usr/lib/postgresql"))) {
            return versions.map(v -> v.resolve("bin")).filter(b -> Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> Integer.parseInt(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new IllegalStateException("no PostgreSQL under /usr/lib/postgresql"));
        }
    }

    /** {@code postgres://postgres@127.0.0.1:PORT/postgres}. */
    String dsn() {
        return "postgres://postgres@127.0.0.1:" + port + "/postgres";
    }

    void start() throws IOException, InterruptedException {
        pgCtl("start", "-w", "-t", "60", "-l", dir.resolve("log").toString(), "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off");
    }

    /** {@code pg_ctl stop -m fast|immediate}: sessions terminated (57P01), or the server crashes and recovers at start. */
    void stop(String mode) throws IOException, InterruptedException {
        pgCtl("stop", "-w", "-t", "60", "-m", mode);
    }

    private void pgCtl(String... args) throws IOException, InterruptedException {
        var command = new ArrayList<>(List.of(bin.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString()));
        command.addAll(List.of(args));
        asOwner(command.toArray(String[]::new));
    }

    private void asOwner(String... command) throws IOException, InterruptedException {
        var full = new ArrayList<String>();
        if (root) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(List.of(command));
        run(full);
    }

    private static String run(List<String> command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        if (p.waitFor() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        try {
            stop("immediate");
        } catch (IllegalStateException alreadyStopped) {
            // stopped by the test
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
