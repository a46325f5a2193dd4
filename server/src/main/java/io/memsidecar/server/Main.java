package io.memsidecar.server;

import io.memsidecar.proto.Version;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.server.config.FileWatch;
import io.memsidecar.server.config.MemsidecarConfig;
import io.memsidecar.server.observe.AccessLog;
import io.memsidecar.server.observe.JsonLogFormatter;
import java.lang.System.Logger.Level;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.ConsoleHandler;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/**
 * {@code memsidecar [--config FILE] [--in-memory]}: runs the server until SIGTERM or SIGINT. Its four options are
 * read here, not by picocli (memctl's parser): picocli's classes are Java 5 class files, which an AOT cache cannot
 * hold, and parsing with it cost the edge runtime 0.2 s of every start (docs/benchmarks.md, "Edge start").
 */
public final class Main {
    static final String USAGE = """
            Usage: memsidecar [-hV] [--in-memory] [--config=FILE]
            Memory building blocks for AI agents over gRPC and HTTP/JSON. With no --config it runs the embedded
            default: loopback, data in the data directory ($MEMSIDECAR_DATA_DIR, ~/.memsidecar), a local token.
                  --config=FILE   YAML config file (spec §3).
                  --in-memory     Embedded default only: keep every block in memory (nothing survives a restart)
                                    instead of in the data directory.
              -h, --help          Show this help message and exit.
              -V, --version       Print version information and exit.
            """;

    private Optional<Path> config = Optional.empty();
    private boolean inMemory;

    public static void main(String[] args) throws InterruptedException {
        var main = new Main();
        for (int i = 0; i < args.length; i++) {
            String arg = args[i];
            switch (arg) {
                case "-h", "--help" -> {
                    System.out.print(USAGE);
                    System.exit(0);
                }
                case "-V", "--version" -> {
                    System.out.println("memsidecar " + Version.current());
                    System.exit(0);
                }
                case "--in-memory" -> main.inMemory = true;
                case "--config" -> {
                    if (i + 1 == args.length) {
                        System.exit(usageError("Missing required parameter for option '--config' (FILE)"));
                    }
                    main.config = Optional.of(Path.of(args[++i]));
                }
                default -> {
                    if (arg.startsWith("--config=")) {
                        main.config = Optional.of(Path.of(arg.substring("--config=".length())));
                    } else {
                        System.exit(usageError("Unknown option: '" + arg + "'"));
                    }
                }
            }
        }
        System.exit(main.call());
    }

    private static int usageError(String message) {
        System.err.println(message);
        System.err.print(USAGE);
        return 2;
    }

    @SuppressWarnings("restriction")
    int call() throws InterruptedException {
        MemsidecarConfig cfg;
        String localToken = "";
        try {
            cfg = ConfigLoader.load(config, System.getenv());
            configureLogging(cfg.logLevel(), cfg.accessLog(), cfg.accessSample());
            if (inMemory && config.isPresent()) {
                throw new ConfigLoader.ConfigException("--in-memory applies to the embedded default only (no --config)");
            }
            if (config.isEmpty()) {
                cfg = EmbeddedDefaults.withLocalKeys(inMemory ? EmbeddedDefaults.inMemory(cfg) : cfg);
                // written before the server answers, so a script that waits for /readyz reads this run's token
                localToken = EmbeddedDefaults.localToken(cfg);
            } else if (cfg.auth().jwt().isEmpty() && cfg.auth().publicKeyHexes().isEmpty()) {
                throw new ConfigLoader.ConfigException("auth.paseto.public_key_hexes: at least one public key is required");
            }
        } catch (RuntimeException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        MemsidecarServer server;
        try {
            server = MemsidecarServer.start(cfg);
        } catch (ConfigLoader.ConfigException e) {
            System.err.println(e.getMessage());
            return 2;
        }
        config.ifPresent(file -> reloadOnChange(file, server));
        // SIGTERM (Kubernetes, podman stop) and SIGINT drain and stop the server, then exit 0: a stop
        // asked for is a clean exit, not a crash (a JVM left to its default would exit 143).
        var stop = new CountDownLatch(1);
        for (String signal : List.of("TERM", "INT")) {
            sun.misc.Signal.handle(new sun.misc.Signal(signal), s -> stop.countDown());
        }
        var log = System.getLogger("memsidecar");
        MemsidecarConfig started = cfg;
        String security = cfg.server().tls().map(MemsidecarConfig.TlsFiles::security).orElse("plaintext");
        listening(log, cfg.server().sharedPort() ? "grpc+http" : "grpc", host(cfg.server().grpcTcp()) + ":" + server.port(), "api",
                security);
        cfg.server().grpcUds().ifPresent(p -> listening(log, "grpc", "unix:" + p, "api", "plaintext"));
        server.httpPort().ifPresent(p -> listening(log, "http", host(started.server().httpAddr().orElseThrow()) + ":" + p,
                "gateway", security));
        server.metricsPort().ifPresent(p -> listening(log, "http", host(started.telemetry().metrics().prometheusAddr()) + ":"
                + p + started.telemetry().metrics().prometheusPath(), "metrics", security));
        log.log(Level.INFO, "{\"msg\":\"ready\",\"version\":\"" + Version.current() + "\",\"metrics\":\""
                + cfg.telemetry().metrics().exporter() + "\",\"tracing\":\"" + cfg.telemetry().tracing().exporter() + "\"}");
        if (config.isEmpty()) {
            printWelcome(cfg, server, localToken, inMemory);
        }
        stop.await();
        server.close();
        return 0;
    }

    /** One start-up line per listener (spec §8); the Unix socket is always plaintext. */
    private static void listening(System.Logger log, String transport, String addr, String purpose, String security) {
        log.log(Level.INFO, "{\"msg\":\"listening\",\"transport\":\"" + transport + "\",\"addr\":\"" + addr
                + "\",\"security\":\"" + security + "\",\"purpose\":\"" + purpose + "\"}");
    }

    private static String host(String hostPort) {
        return hostPort.substring(0, hostPort.lastIndexOf(':'));
    }

    /**
     * SIGHUP, and any change of the config file's content (its directory is watched, so an
     * editor's rename or Kubernetes' ConfigMap symlink swap counts), re-read the file and swap in
     * its keys (or JWT settings), policy and log level; a bad file is logged and the running
     * state stays (spec §3.8).
     */
    @SuppressWarnings("restriction")
    private static void reloadOnChange(Path file, MemsidecarServer server) {
        Runnable reload = () -> reload(file, server);
        sun.misc.Signal.handle(new sun.misc.Signal("HUP"), signal -> Thread.ofVirtual().start(reload));
        FileWatch.onChange(List.of(file), reload, "config");
    }

    private static synchronized void reload(Path file, MemsidecarServer server) {
        var log = System.getLogger("memsidecar");
        try {
            MemsidecarConfig reloaded = ConfigLoader.load(Optional.of(file), System.getenv());
            server.reload(reloaded);
            configureLogging(reloaded.logLevel(), reloaded.accessLog(), reloaded.accessSample());
            log.log(Level.INFO, "reloaded " + file + ": policy default " + (reloaded.policy().defaultDeny() ? "deny" : "allow")
                    + ", " + reloaded.policy().ruleCount() + " rules, "
                    + (reloaded.auth().jwt().isPresent() ? "jwt " + reloaded.auth().jwt().get().alg()
                    : reloaded.auth().publicKeyHexes().size() + " trusted keys") + ", log level " + reloaded.logLevel());
        } catch (RuntimeException e) {
            log.log(Level.WARNING, "reload of " + file + " rejected, previous keys and policy stay: " + e.getMessage());
        }
    }

    private static void printWelcome(MemsidecarConfig cfg, MemsidecarServer server, String token, boolean inMemory) {
        int port = server.port();
        System.out.printf("""

                memsidecar is running on its embedded default (%s, loopback only).
                A full-scope token for this machine (valid %dh, also in %s):

                  export MEMSIDECAR_TOKEN=%s

                Try it:
                  curl -X PUT -H "x-memsidecar-capability: Bearer $MEMSIDECAR_TOKEN" --data-binary 'hello' \\
                       http://127.0.0.1:%d/v1/kv/scratchpad/greeting
                  curl -H "x-memsidecar-capability: Bearer $MEMSIDECAR_TOKEN" http://127.0.0.1:%d/v1/kv/scratchpad/greeting
                %s
                %n""", inMemory ? "in memory: nothing survives a restart" : "data in " + cfg.dataDir(),
                EmbeddedDefaults.TOKEN_TTL.toHours(), cfg.dataDir().resolve("token"), token, port, port,
                server.metricsPort().map(p -> "\nMetrics (Prometheus): http://127.0.0.1:" + p
                        + cfg.telemetry().metrics().prometheusPath()).orElse(""));
        System.out.flush();
    }

    static void configureLogging(String level, boolean accessLog, double accessSample) {
        LogManager.getLogManager().reset();
        Logger root = Logger.getLogger("");
        var handler = new ConsoleHandler();
        handler.setFormatter(new JsonLogFormatter());
        handler.setLevel(java.util.logging.Level.ALL);
        root.addHandler(handler);
        java.util.logging.Level rootLevel = switch (level.toLowerCase(Locale.ROOT)) {
            case "debug" -> java.util.logging.Level.FINE;
            case "warn", "warning" -> java.util.logging.Level.WARNING;
            case "error" -> java.util.logging.Level.SEVERE;
            default -> java.util.logging.Level.INFO;
        };
        root.setLevel(rootLevel);
        TUNED.clear();
        // the access log writes its own lines (AccessLog): OK calls are INFO, failed ones WARN
        AccessLog.global().configure(accessLog && rootLevel.intValue() <= java.util.logging.Level.WARNING.intValue(),
                rootLevel.intValue() <= java.util.logging.Level.INFO.intValue(), accessSample);
        // Third-party chatter stays at WARNING unless asked for debug.
        if (!level.equalsIgnoreCase("debug")) {
            tune("io.helidon", java.util.logging.Level.WARNING);
            tune("com.zaxxer.hikari", java.util.logging.Level.WARNING);
            tune("io.grpc", java.util.logging.Level.WARNING);
            // DJL (the local embedder's tokenizer) warns about probing for CUDA on every CPU-only host.
            tune("ai.djl", java.util.logging.Level.SEVERE);
            // jvector (the SQLite semantic graph) suggests --add-modules jdk.incubator.vector on every start.
            tune("io.github.jbellis.jvector", java.util.logging.Level.SEVERE);
        }
    }

    /** JUL holds loggers weakly: a tuned logger must be referenced, or its level is lost to GC. */
    private static final List<Logger> TUNED = new java.util.ArrayList<>();

    private static void tune(String name, java.util.logging.Level level) {
        Logger logger = Logger.getLogger(name);
        logger.setLevel(level);
        TUNED.add(logger);
    }
}
