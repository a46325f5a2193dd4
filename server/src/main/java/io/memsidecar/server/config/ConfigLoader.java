package io.memsidecar.server.config;

import io.helidon.config.Config;
import io.helidon.config.ConfigSources;
import io.memsidecar.core.GoDuration;
import io.memsidecar.core.Limits;
import io.memsidecar.episodic.Retention;
import io.memsidecar.kv.spi.KvAccess;
import io.memsidecar.semantic.spi.Distance;
import io.memsidecar.semantic.spi.IndexSpec;
import io.memsidecar.server.OptionalParts;
import io.memsidecar.server.encryption.Keyring;
import io.memsidecar.server.observe.TelemetryConfig;
import io.memsidecar.server.policy.PolicyConfig;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads the YAML config (spec §3) with Helidon Config, lays {@code MEMSIDECAR_} environment
 * variables over it ({@code MEMSIDECAR_SERVER__GRPC__TCP} → {@code server.grpc.tcp}), applies
 * defaults and validates. Every error names the offending key.
 */
public final class ConfigLoader {
    static final String EMBEDDED = "memsidecar-embedded.yaml";
    private static final List<String> SEMANTIC_KEYS = List.of("embedder", "distance", "text_search", "hnsw");
    /** The original's rule for semantic namespaces (its table name derives from it). */
    private static final Pattern SEMANTIC_NAME = Pattern.compile("^[a-zA-Z0-9_-]{1,63}$");
    private static final Set<String> BLOCKS = Set.of("kv", "episodic", "semantic", "artifact", "lease", "graph");

    private ConfigLoader() {
    }

    /** Loads {@code file}, or the embedded default when empty. */
    public static MemsidecarConfig load(Optional<Path> file, Map<String, String> env) {
        var builder = Config.builder().disableEnvironmentVariablesSource().disableSystemPropertiesSource();
        var overrides = ConfigSources.create(envOverrides(env), "environment").build();
        if (file.isPresent()) {
            if (!Files.isReadable(file.get())) {
                throw new ConfigException("config file " + file.get() + " is not readable");
            }
            builder.sources(() -> overrides, ConfigSources.file(file.get()).build());
        } else {
            builder.sources(() -> overrides, ConfigSources.classpath(EMBEDDED).build());
        }
        MemsidecarConfig config = read(builder.build(), env);
        return file.isPresent() ? config : withoutMissingEmbedders(config, OptionalParts.embedderProviders());
    }

    /**
     * The embedded default on a runtime built without the in-process embedder (lib/onnx/) serves every
     * block but its semantic namespace, and says so; a config file that names a missing part fails instead.
     */
    static MemsidecarConfig withoutMissingEmbedders(MemsidecarConfig config, Set<String> providers) {
        var kept = new ArrayList<MemsidecarConfig.NamespaceConfig>();
        for (var ns : config.namespaces()) {
            var provider = ns.semantic().map(s -> s.embedder().provider());
            if (provider.isPresent() && !providers.contains(provider.get())) {
                System.getLogger(ConfigLoader.class.getName()).log(System.Logger.Level.WARNING,
                        "embedded default: semantic/" + ns.name() + " left out: " + OptionalParts.missingEmbedder(provider.get()));
                continue;
            }
            kept.add(ns);
        }
        return config.withNamespaces(kept);
    }

    static Map<String, String> envOverrides(Map<String, String> env) {
        var out = new HashMap<String, String>();
        env.forEach((k, v) -> {
            if (k.startsWith("MEMSIDECAR_") && k.contains("__")) {
                out.put(k.substring("MEMSIDECAR_".length()).toLowerCase(Locale.ROOT).replace("__", "."), v);
            }
        });
        return out;
    }

    private static MemsidecarConfig read(Config c, Map<String, String> env) {
        ConfigKeys.check(c);
        Config grpc = c.get("server.grpc");
        String tcp = grpc.get("tcp").asString().orElse("127.0.0.1:7777");
        Optional<Path> uds = grpc.get("uds").asString().filter(s -> !s.isBlank()).map(Path::of);
        if (tcp.isBlank() && uds.isEmpty()) {
            throw new ConfigException("server.grpc: at least one of tcp and uds must be set");
        }
        if (!tcp.isBlank()) {
            hostPort(tcp, "server.grpc.tcp");
        }
        Optional<MemsidecarConfig.TlsFiles> tls = tls(grpc.get("tls"));
        Optional<String> http = c.get("server.http.addr").asString().filter(s -> !s.isBlank());
        http.ifPresent(a -> hostPort(a, "server.http.addr"));
        Duration shutdown = duration(c.get("server.shutdown_timeout"), Duration.ofSeconds(10));

        // auto (= netty): gRPC on TCP through grpc-netty (docs/benchmarks.md, "Transport"); without
        // server.http.addr the clients on the same port that are not gRPC's are relayed to Helidon (SharedPort).
        String transport = oneOf(grpc.get("transport"), "auto", "auto", "helidon", "netty");
        boolean netty = !tcp.isBlank() && !transport.equals("helidon");
        if (transport.equals("netty") && tcp.isBlank()) {
            throw new ConfigException("server.grpc.transport: netty serves gRPC on server.grpc.tcp, which is not set");
        }
        var listeners = new MemsidecarConfig.Listeners(tcp, uds, http, shutdown, tls, netty,
                duration(c.get("server.request_timeout"), Duration.ofSeconds(10)),
                duration(c.get("server.tail_reconnect_max"), Duration.ofSeconds(60)));
        var auth = auth(c.get("auth"), env);
        refuseDevKeyOffLoopback(auth, tcp, http);
        var policy = PolicyConfig.read(c.get("policy"));
        Path dataDir = c.get("data_dir").asString().map(Path::of)
                .orElseGet(() -> Path.of(env.getOrDefault("MEMSIDECAR_DATA_DIR",
                        System.getProperty("user.home") + "/.memsidecar")));
        var backends = backends(c.get("backends"), dataDir);
        Optional<Keyring> encryption = encryption(c.get("encryption"), env);
        var namespaces = namespaces(c.get("namespaces"), backends, encryption.isPresent());
        String format = c.get("logging.format").asString().orElse("json");
        if (!format.equals("json")) {
            System.getLogger(ConfigLoader.class.getName()).log(System.Logger.Level.WARNING,
                    "logging.format: \"" + format + "\" is not supported, logging JSON lines");
        }
        return new MemsidecarConfig(listeners, auth, policy, c.get("tenant_isolation").asBoolean().orElse(false),
                backends, namespaces, c.get("logging.level").asString().orElse("info"),
                c.get("logging.access").asBoolean().orElse(true), accessSample(c.get("logging.access_sample")), dataDir, telemetry(c, env), limits(c.get("limits")), encryption);
    }

    /** {@code limits} (new in this build): byte sizes as integers or with a unit (KiB, MiB, GiB, KB, MB, GB). */
    private static Limits limits(Config l) {
        Limits d = Limits.DEFAULT;
        return new Limits(bytes(l.get("max_message_bytes"), d.maxMessageBytes()), bytes(l.get("max_value_bytes"),
                d.maxValueBytes()), positive(l.get("max_batch_items"), d.maxBatchItems()),
                positive(l.get("max_connections"), d.maxConnections()),
                positive(l.get("max_concurrent_streams"), d.maxConcurrentStreams()),
                bytes(l.get("max_metadata_bytes"), d.maxMetadataBytes()), positive(l.get("max_txn_ops"), d.maxTxnOps()));
    }

    private static int positive(Config node, int fallback) {
        int value = node.asInt().orElse(fallback);
        if (value <= 0) {
            throw new ConfigException(node.key() + " must be > 0");
        }
        return value;
    }

    private static final Pattern BYTES = Pattern.compile("(\\d+)\\s*([KMG]i?B)?");

    static long bytes(Config node, long fallback) {
        if (!node.exists()) {
            return fallback;
        }
        String text = node.asString().get().strip();
        var m = BYTES.matcher(text);
        if (!m.matches() || Long.parseLong(m.group(1)) <= 0) {
            throw new ConfigException(node.key() + ": \"" + text + "\" is not a positive size (e.g. 4194304, 4MiB, 512KiB)");
        }
        long unit = m.group(2) == null ? 1 : switch (m.group(2)) {
            case "KiB" -> 1L << 10;
            case "MiB" -> 1L << 20;
            case "GiB" -> 1L << 30;
            case "KB" -> 1000L;
            case "MB" -> 1000L * 1000;
            default -> 1000L * 1000 * 1000;
        };
        return Math.multiplyExact(Long.parseLong(m.group(1)), unit);
    }

    /** {@code server.grpc.tls} (spec §3.1); the files are read (and checked) when the server starts. */
    private static Optional<MemsidecarConfig.TlsFiles> tls(Config t) {
        if (!t.get("cert_file").exists() && !t.get("key_file").exists()) {
            if (t.get("client_ca_file").exists()) {
                throw new ConfigException("server.grpc.tls.client_ca_file needs cert_file and key_file");
            }
            return Optional.empty();
        }
        Path cert = readable(t.get("cert_file"), "server.grpc.tls.cert_file");
        Path key = readable(t.get("key_file"), "server.grpc.tls.key_file");
        Optional<Path> ca = t.get("client_ca_file").exists()
                ? Optional.of(readable(t.get("client_ca_file"), "server.grpc.tls.client_ca_file")) : Optional.empty();
        boolean require = t.get("require_client_cert").asBoolean().orElse(false);
        if (require && ca.isEmpty()) {
            throw new ConfigException("server.grpc.tls.require_client_cert needs client_ca_file");
        }
        return Optional.of(new MemsidecarConfig.TlsFiles(cert, key, ca, require));
    }

    private static Path readable(Config node, String key) {
        Path path = node.asString().map(Path::of).orElseThrow(() -> new ConfigException(key + " is required"));
        if (!Files.isReadable(path)) {
            throw new ConfigException(key + ": " + path + " is not readable");
        }
        return path;
    }

    /** {@code metrics} and {@code tracing} (spec §3.2). Tracing is off unless an exporter is named. */
    static TelemetryConfig telemetry(Config c, Map<String, String> env) {
        String metrics = oneOf(c.get("metrics.exporter"), "none", "prometheus", "otlp", "none");
        String addr = c.get("metrics.prometheus.addr").asString().orElse(":9090");
        hostPort(addr, "metrics.prometheus.addr");
        String path = c.get("metrics.prometheus.path").asString().orElse("/metrics");
        if (!path.startsWith("/")) {
            throw new ConfigException("metrics.prometheus.path must start with /");
        }
        if (!metrics.equals("prometheus") && c.get("metrics.prometheus").exists()) {
            System.getLogger(ConfigLoader.class.getName()).log(System.Logger.Level.WARNING,
                    "metrics.prometheus is set but metrics.exporter is \"" + metrics + "\": no /metrics listener");
        }
        String tracing = oneOf(c.get("tracing.exporter"), "none", "stdout", "otlp", "none");
        double ratio = c.get("tracing.sample_ratio").asDouble().orElse(0.0);
        if (ratio < 0 || ratio > 1) {
            throw new ConfigException("tracing.sample_ratio must be between 0 and 1, got " + ratio);
        }
        return new TelemetryConfig(
                new TelemetryConfig.Metrics(metrics, addr, path,
                        metrics.equals("otlp") ? Optional.of(otlp(c.get("metrics.otlp"), "metrics.otlp", env)) : Optional.empty(),
                        c.get("metrics.virtual_thread_events").asBoolean().orElse(false)),
                new TelemetryConfig.Tracing(tracing, ratio == 0 ? 1.0 : ratio,
                        tracing.equals("otlp") ? Optional.of(otlp(c.get("tracing.otlp"), "tracing.otlp", env)) : Optional.empty()));
    }

    private static String oneOf(Config node, String fallback, String... allowed) {
        String value = node.asString().filter(s -> !s.isBlank()).orElse(fallback).toLowerCase(Locale.ROOT);
        if (!List.of(allowed).contains(value)) {
            throw new ConfigException(node.key() + " must be one of " + String.join(", ", new LinkedHashSet<>(List.of(allowed)))
                    + ", got \"" + value + "\"");
        }
        return value;
    }

    private static TelemetryConfig.Otlp otlp(Config o, String at, Map<String, String> env) {
        String endpoint = o.get("endpoint").asString().filter(s -> !s.isBlank())
                .orElseThrow(() -> new ConfigException(at + ".endpoint is required for the otlp exporter"));
        String compression = o.get("compression").asString().orElse("");
        if (!compression.isEmpty() && !compression.equals("gzip")) {
            throw new ConfigException(at + ".compression must be gzip or empty, got \"" + compression + "\"");
        }
        var headers = new HashMap<String, String>(o.get("headers").detach().asMap().orElse(Map.of()));
        o.get("headers_env").detach().asMap().orElse(Map.of()).forEach((header, variable) -> {
            String value = env.get(variable);
            if (value == null || value.isBlank()) {
                throw new ConfigException(at + ".headers_env." + header + ": environment variable " + variable + " is empty");
            }
            headers.put(header, value);
        });
        return new TelemetryConfig.Otlp(endpoint, o.get("insecure").asBoolean().orElse(false), compression.equals("gzip"),
                headers, duration(o.get("interval"), Duration.ofSeconds(60)));
    }

    private static MemsidecarConfig.Auth auth(Config a, Map<String, String> env) {
        String verifier = a.get("verifier").asString().orElse("paseto");
        if (verifier.equals("jwt")) {
            return new MemsidecarConfig.Auth(List.of(), Optional.empty(), Optional.of(jwt(a.get("jwt"), env)));
        }
        if (!verifier.equals("paseto")) {
            throw new ConfigException("auth.verifier must be paseto or jwt, got \"" + verifier + "\"");
        }
        var keys = new ArrayList<String>(a.get("paseto.public_key_hexes").asList(String.class).orElse(List.of()));
        a.get("paseto.public_key_hex").asString().filter(s -> !s.isBlank()).ifPresent(keys::add);
        List<String> distinct = keys.stream().map(String::strip).distinct().toList();
        for (int i = 0; i < distinct.size(); i++) {
            try {
                Ed25519Keys.publicKey(distinct.get(i));
            } catch (IllegalArgumentException e) {
                throw new ConfigException("auth.paseto.public_key_hexes[" + i + "]: " + e.getMessage());
            }
        }
        Optional<String> secret = a.get("paseto.private_key_hex").asString().filter(s -> !s.isBlank());
        secret.ifPresent(s -> {
            try {
                Ed25519Keys.privateKey(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException("auth.paseto.private_key_hex: " + e.getMessage());
            }
        });
        return new MemsidecarConfig.Auth(distinct, secret);
    }

    /** The example config's PASETO public key; its private half is published, so anyone can mint tokens for it. */
    static final String DEV_PUBLIC_KEY_HEX = "61a2d0067233cf8d6570c76f37573cbc31d33032ab256fe0c8032c0987d0fbf9";

    /** Spec §3.3: the published dev key is trusted only while every TCP listener is on a loopback address. */
    private static void refuseDevKeyOffLoopback(MemsidecarConfig.Auth auth, String tcp, Optional<String> http) {
        if (!auth.publicKeyHexes().stream().anyMatch(k -> k.equalsIgnoreCase(DEV_PUBLIC_KEY_HEX))) {
            return;
        }
        var addresses = new ArrayList<String>();
        if (!tcp.isBlank()) {
            addresses.add(tcp);
        }
        http.ifPresent(addresses::add);
        for (String address : addresses) {
            String host = hostPort(address, "listen address").host();
            if (!(host.equals("localhost") || host.startsWith("127.") || host.equals("::1"))) {
                throw new ConfigException("auth.paseto trusts the published dev key 61a2d006… while listening on " + address
                        + ", which is not a loopback address: anyone could mint tokens. Mint a real key pair with "
                        + "`memctl gen-keypair`, put its public half in auth.paseto.public_key_hexes (e.g. from a Secret), keep "
                        + "the secret half with your token issuer (`memctl token issue --secret-key-hex …`), and drop the dev key");
            }
        }
    }

    /** {@code auth.jwt}: alg HS256 (secret_env) or RS256/ES256/EdDSA (public_pem / public_pems: inline PEM or a file). */
    private static MemsidecarConfig.Jwt jwt(Config j, Map<String, String> env) {
        String alg = j.get("alg").asString().orElseThrow(() -> new ConfigException("auth.jwt.alg is required for auth.verifier jwt"));
        MemsidecarConfig.Jwt jwt;
        if (alg.equals("HS256")) {
            String variable = j.get("secret_env").asString().filter(v -> !v.isBlank())
                    .orElseThrow(() -> new ConfigException("auth.jwt.secret_env is required for HS256"));
            String secret = env.getOrDefault(variable, "");
            if (secret.isEmpty()) {
                throw new ConfigException("auth.jwt.secret_env: environment variable " + variable + " is empty");
            }
            jwt = new MemsidecarConfig.Jwt(alg, Optional.of(secret.getBytes(java.nio.charset.StandardCharsets.UTF_8)), List.of());
        } else if (alg.equals("RS256") || alg.equals("ES256") || alg.equals("EdDSA")) {
            var pems = new ArrayList<String>(j.get("public_pems").asList(String.class).orElse(List.of()));
            j.get("public_pem").asString().filter(v -> !v.isBlank()).ifPresent(pems::add);
            if (pems.isEmpty()) {
                throw new ConfigException("auth.jwt.public_pem or public_pems is required for " + alg);
            }
            var loaded = new ArrayList<String>();
            for (String pem : pems) {
                try {
                    loaded.add(pem.strip().startsWith("-----BEGIN") ? pem : Files.readString(Path.of(pem.strip())));
                } catch (java.io.IOException e) {
                    throw new ConfigException("auth.jwt.public_pems: cannot read " + pem.strip() + ": " + e.getMessage());
                }
            }
            jwt = new MemsidecarConfig.Jwt(alg, Optional.empty(), loaded);
        } else {
            throw new ConfigException("auth.jwt.alg must be HS256, RS256, ES256 or EdDSA, got \"" + alg + "\"");
        }
        try {
            jwt.verifier();
        } catch (IllegalArgumentException e) {
            throw new ConfigException("auth.jwt: " + e.getMessage());
        }
        return jwt;
    }

    /** What {@code {data_dir}} in a backend option value stands for (the embedded default keeps its files there). */
    static final String DATA_DIR = "{data_dir}";

    private static List<MemsidecarConfig.BackendConfig> backends(Config list, Path dataDir) {
        var out = new ArrayList<MemsidecarConfig.BackendConfig>();
        var names = new HashSet<String>();
        var nodes = list.asNodeList().orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            Config b = nodes.get(i);
            String at = "backends[" + i + "]";
            String name = b.get("name").asString().orElseThrow(() -> new ConfigException(at + ".name is required"));
            if (!names.add(name)) {
                throw new ConfigException(at + ".name: duplicate backend \"" + name + "\"");
            }
            String driver = b.get("driver").asString().orElseThrow(() -> new ConfigException(at + ".driver is required"));
            var options = new java.util.HashMap<String, String>(b.get("options").exists()
                    ? b.get("options").detach().asMap().orElse(Map.of()) : Map.of());
            options.replaceAll((key, value) -> value.replace(DATA_DIR, dataDir.toString()));
            out.add(new MemsidecarConfig.BackendConfig(name, driver, Map.copyOf(options)));
        }
        return out;
    }

    /**
     * {@code encryption} (spec §10): {@code keys[]} of {@code {id, secret_env | secret_file}} — a
     * 32-byte secret as 64 hex characters or base64, never in the YAML itself; the first encrypts,
     * any decrypts — and {@code allow_plaintext_reads} for migrating a namespace.
     */
    private static Optional<Keyring> encryption(Config e, Map<String, String> env) {
        var nodes = e.get("keys").asNodeList().orElse(List.of());
        if (nodes.isEmpty()) {
            if (e.exists() && e.get("allow_plaintext_reads").exists()) {
                throw new ConfigException("encryption.keys: at least one key is required");
            }
            return Optional.empty();
        }
        var keys = new ArrayList<Keyring.Key>();
        for (int i = 0; i < nodes.size(); i++) {
            Config k = nodes.get(i);
            String at = "encryption.keys[" + i + "]";
            String id = k.get("id").asString().filter(s -> !s.isBlank())
                    .orElseThrow(() -> new ConfigException(at + ".id is required"));
            String secret;
            if (k.get("secret_env").exists()) {
                String variable = k.get("secret_env").asString().get();
                secret = env.getOrDefault(variable, "");
                if (secret.isBlank()) {
                    throw new ConfigException(at + ".secret_env: environment variable " + variable + " is empty");
                }
            } else if (k.get("secret_file").exists()) {
                try {
                    secret = Files.readString(Path.of(k.get("secret_file").asString().get()));
                } catch (java.io.IOException ex) {
                    throw new ConfigException(at + ".secret_file: cannot read it: " + ex.getMessage());
                }
            } else {
                throw new ConfigException(at + ": secret_env or secret_file is required (secrets never go in the YAML)");
            }
            try {
                keys.add(new Keyring.Key(id, secretBytes(secret.strip())));
            } catch (IllegalArgumentException ex) {
                throw new ConfigException(at + ": " + ex.getMessage());
            }
        }
        return Optional.of(new Keyring(keys, e.get("allow_plaintext_reads").asBoolean().orElse(false)));
    }

    /** 64 hex characters, or base64 of 32 bytes. */
    private static byte[] secretBytes(String text) {
        if (text.matches("[0-9a-fA-F]{64}")) {
            return java.util.HexFormat.of().parseHex(text);
        }
        try {
            return java.util.Base64.getDecoder().decode(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("the secret must be 64 hex characters or base64 of 32 bytes");
        }
    }

    private static List<MemsidecarConfig.NamespaceConfig> namespaces(Config list,
                                                                     List<MemsidecarConfig.BackendConfig> backends,
                                                                     boolean keyring) {
        var out = new ArrayList<MemsidecarConfig.NamespaceConfig>();
        var seen = new HashSet<String>();
        Set<String> backendNames = new HashSet<>(backends.stream().map(MemsidecarConfig.BackendConfig::name).toList());
        var nodes = list.asNodeList().orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            Config n = nodes.get(i);
            String at = "namespaces[" + i + "]";
            String block = n.get("block").asString().orElseThrow(() -> new ConfigException(at + ".block is required"));
            if (!BLOCKS.contains(block)) {
                throw new ConfigException(at + ".block: unknown block \"" + block + "\" (one of " + BLOCKS + ")");
            }
            String name = n.get("name").asString().orElseThrow(() -> new ConfigException(at + ".name is required"));
            if (!seen.add(block + "/" + name)) {
                throw new ConfigException(at + ": duplicate namespace " + block + "/" + name);
            }
            String backend = n.get("backend").asString().orElseThrow(() -> new ConfigException(at + ".backend is required"));
            if (!backendNames.contains(backend)) {
                throw new ConfigException(at + ".backend: no backend named \"" + backend + "\"");
            }
            long max = n.get("max_items").asLong().orElse(0L);
            if (max < 0) {
                throw new ConfigException(at + ".max_items must not be negative");
            }
            Optional<Retention> retention = n.get("retention").exists()
                    ? Optional.of(retention(n.get("retention"), at + ".retention", block)) : Optional.empty();
            Optional<MemsidecarConfig.Semantic> semantic = Optional.empty();
            if (block.equals("semantic")) {
                semantic = Optional.of(semantic(n, at, name));
            } else {
                for (String key : SEMANTIC_KEYS) {
                    if (n.get(key).exists()) {
                        throw new ConfigException(at + "." + key + ": applies to semantic namespaces only");
                    }
                }
            }
            long maxSize = 0;
            if (n.get("max_size").exists()) {
                if (!block.equals("artifact")) {
                    throw new ConfigException(at + ".max_size: applies to artifact namespaces only");
                }
                maxSize = bytes(n.get("max_size"), 0);
            }
            boolean encrypt = n.get("encrypt").asBoolean().orElse(false);
            if (encrypt && !Set.of("kv", "episodic", "artifact").contains(block)) {
                throw new ConfigException(at + ".encrypt: applies to kv, episodic and artifact namespaces only");
            }
            if (encrypt && !keyring) {
                throw new ConfigException(at + ".encrypt: needs encryption.keys");
            }
            Optional<KvAccess> access = Optional.empty();
            if (n.get("access").exists()) {
                if (!block.equals("kv")) {
                    throw new ConfigException(at + ".access: the access tier applies to kv namespaces only");
                }
                Config a = n.get("access");
                long capacity = a.get("capacity").asLong().orElse(0L);
                long slide = a.get("slide_ttl_seconds").asLong().orElse(0L);
                long halfLife = a.get("heat_half_life_seconds").asLong().orElse(0L);
                if (capacity < 0 || slide < 0 || halfLife < 0) {
                    throw new ConfigException(at + ".access: capacity, slide_ttl_seconds and heat_half_life_seconds must not be negative");
                }
                access = Optional.of(new KvAccess(a.get("track").asBoolean().orElse(false), Duration.ofSeconds(slide), capacity,
                        Duration.ofSeconds(halfLife)));
            }
            out.add(new MemsidecarConfig.NamespaceConfig(block, name, backend, max, maxSize, encrypt, retention, semantic, access));
        }
        return out;
    }

    private static MemsidecarConfig.Semantic semantic(Config n, String at, String name) {
        if (!SEMANTIC_NAME.matcher(name).matches()) {
            throw new ConfigException(at + ".name: a semantic namespace name must match " + SEMANTIC_NAME.pattern());
        }
        Config e = n.get("embedder");
        if (!e.exists()) {
            throw new ConfigException(at + ".embedder is required for a semantic namespace");
        }
        String provider = e.get("provider").asString()
                .orElseThrow(() -> new ConfigException(at + ".embedder.provider is required"));
        int dims = e.get("dimensions").asInt().orElse(0);
        if (dims <= 0) {
            throw new ConfigException(at + ".embedder.dimensions is required and must be > 0");
        }
        Map<String, String> options = e.get("options").exists()
                ? e.get("options").detach().asMap().orElse(Map.of()) : Map.of();
        var embedder = new MemsidecarConfig.Embedder(provider, e.get("model").asString().orElse(""), dims, options,
                e.get("cache_size").asInt().orElse(0));
        Distance distance;
        try {
            distance = Distance.parse(n.get("distance").asString().orElse("cosine"));
        } catch (IllegalArgumentException ex) {
            throw new ConfigException(at + ".distance: " + ex.getMessage());
        }
        String textSearch = n.get("text_search").asString().filter(s -> !s.isBlank()).orElse(IndexSpec.DEFAULT_TEXT_SEARCH);
        int m = bounded(n.get("hnsw.m"), 16, 2, 100);
        int efConstruction = bounded(n.get("hnsw.ef_construction"), 64, Math.max(4, 2 * m), 1000);
        int efSearch = bounded(n.get("hnsw.ef_search"), 100, 1, 1000);
        return new MemsidecarConfig.Semantic(embedder,
                new IndexSpec(name, dims, distance, textSearch, m, efConstruction, efSearch));
    }

    private static int bounded(Config node, int fallback, int min, int max) {
        int v = node.asInt().orElse(fallback);
        if (v < min || v > max) {
            throw new ConfigException(node.key() + " must be between " + min + " and " + max + ", got " + v);
        }
        return v;
    }

    private static Retention retention(Config r, String at, String block) {
        if (!block.equals("episodic")) {
            throw new ConfigException(at + ": retention applies to episodic namespaces only");
        }
        Optional<Duration> maxAge = r.get("max_age_seconds").asLong().filter(v -> v > 0).map(Duration::ofSeconds);
        OptionalLong maxItems = r.get("max_items").asLong().filter(v -> v > 0)
                .map(OptionalLong::of).orElse(OptionalLong.empty());
        if (maxAge.isEmpty() && maxItems.isEmpty()) {
            throw new ConfigException(at + ": set max_age_seconds and/or max_items (> 0)");
        }
        String action = r.get("action").asString().orElse("hard");
        if (!action.equals("hard") && !action.equals("soft")) {
            throw new ConfigException(at + ".action must be hard or soft, got \"" + action + "\"");
        }
        long interval = r.get("interval_seconds").asLong().orElse(0L);
        if (interval < 0) {
            throw new ConfigException(at + ".interval_seconds must not be negative");
        }
        return new Retention(maxAge, maxItems, action.equals("hard"),
                interval == 0 ? Retention.DEFAULT_INTERVAL : Duration.ofSeconds(interval));
    }

    /** {@code logging.access_sample}: the fraction of OK calls the access log keeps, 0 < r ≤ 1 (default 1). */
    private static double accessSample(Config node) {
        double r = node.asDouble().orElse(1.0);
        if (!(r > 0 && r <= 1)) {
            throw new ConfigException("logging.access_sample: must be > 0 and ≤ 1 (the fraction of OK calls logged), got " + r);
        }
        return r;
    }

    static Duration duration(Config node, Duration fallback) {
        return node.asString().map(s -> {
            try {
                return GoDuration.parse(s);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(node.key() + ": " + e.getMessage());
            }
        }).orElse(fallback);
    }

    /** Splits {@code host:port} (host may be empty for all interfaces, or [v6]). */
    public static HostPort hostPort(String address, String key) {
        int colon = address.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException(key + ": \"" + address + "\" must be host:port");
        }
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        try {
            int port = Integer.parseInt(address.substring(colon + 1));
            if (port < 0 || port > 65535) {
                throw new NumberFormatException();
            }
            return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
        } catch (NumberFormatException e) {
            throw new ConfigException(key + ": \"" + address + "\" has no valid port");
        }
    }

    public record HostPort(String host, int port) {
    }

    /** A configuration error; its message names the key. */
    public static final class ConfigException extends RuntimeException {
        public ConfigException(String message) {
            super("config: " + message);
        }
    }
}
