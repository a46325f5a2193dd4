package io.memsidecar.server;

import io.grpc.ServerServiceDefinition;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.unix.DomainSocketAddress;
import io.grpc.protobuf.services.HealthStatusManager;
import io.helidon.common.tls.Tls;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.grpc.GrpcConfig;
import io.helidon.webserver.grpc.GrpcRouting;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http2.Http2Config;
import io.memsidecar.artifact.ArtifactNamespace;
import io.memsidecar.artifact.ArtifactService;
import io.memsidecar.artifact.spi.ArtifactStore;
import io.memsidecar.core.Evictions;
import io.memsidecar.core.Options;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.core.spi.BackendProvider;
import io.memsidecar.core.spi.BackendSpec;
import io.memsidecar.core.spi.Providers;
import io.memsidecar.episodic.EpisodicNamespace;
import io.memsidecar.episodic.EpisodicService;
import io.memsidecar.episodic.RetentionSweeper;
import io.memsidecar.episodic.spi.EpisodicStore;
import io.memsidecar.graph.GraphNamespace;
import io.memsidecar.graph.GraphService;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.kv.KvNamespace;
import io.memsidecar.kv.KvService;
import io.memsidecar.kv.spi.AccessTiered;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.lease.LeaseNamespace;
import io.memsidecar.lease.LeaseService;
import io.memsidecar.lease.spi.LeaseStore;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import io.memsidecar.semantic.CachingEmbedder;
import io.memsidecar.semantic.SemanticNamespace;
import io.memsidecar.recall.RecallService;
import io.memsidecar.semantic.SemanticService;
import io.memsidecar.semantic.spi.Embedder;
import io.memsidecar.semantic.spi.EmbedderProvider;
import io.memsidecar.semantic.spi.EmbedderSpec;
import io.memsidecar.semantic.spi.SemanticIndex;
import io.memsidecar.semantic.spi.SemanticStore;
import io.memsidecar.server.auth.AuthFilter;
import io.memsidecar.server.auth.ScopeFilter;
import io.memsidecar.server.auth.TlsMaterial;
import io.memsidecar.server.auth.TokenVerifier;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.server.config.FileWatch;
import io.memsidecar.server.config.MemsidecarConfig;
import io.memsidecar.server.encryption.EncryptedArtifacts;
import io.memsidecar.server.encryption.EncryptedStores;
import io.memsidecar.server.encryption.Keyring;
import io.memsidecar.server.observe.Instrumented;
import io.memsidecar.server.observe.AccessLog;
import io.memsidecar.server.observe.ObserveFilter;
import io.memsidecar.server.observe.Telemetry;
import io.memsidecar.server.policy.Policy;
import io.memsidecar.server.policy.PolicyFilter;
import io.memsidecar.server.transport.ArtifactCurlRoutes;
import io.memsidecar.server.transport.Bodies;
import io.memsidecar.server.transport.ConnectionCap;
import io.memsidecar.server.transport.EpisodicCurlRoutes;
import io.memsidecar.server.transport.GraphCurlRoutes;
import io.memsidecar.server.transport.RecallCurlRoutes;
import io.memsidecar.server.transport.GrpcTransport;
import io.memsidecar.server.transport.HttpGateway;
import io.memsidecar.server.transport.KvCurlRoutes;
import io.memsidecar.server.transport.McpHttp;
import io.memsidecar.server.transport.Reflection;
import io.memsidecar.server.transport.SemanticCurlRoutes;
import io.memsidecar.server.transport.SharedPort;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.UnixDomainSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The running sidecar: backends, block services, the filtered routing table, and the listeners
 * generated from it (grpc-netty for gRPC on TCP and the Unix socket, Helidon for HTTP; or Helidon for
 * both on the TCP port with {@code server.grpc.transport: helidon}).
 */
public final class MemsidecarServer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(MemsidecarServer.class.getName());

    private final MemsidecarConfig config;
    private final Map<String, Backend> backends;
    private final RoutingTable table;
    private final AtomicReference<TokenVerifier> verifier;
    private final AtomicReference<Policy> policy;
    private final WebServer web;
    /** Helidon's listener behind a plaintext shared port on grpc-netty, when it is a Unix socket (SharedPort.privateSocket). */
    private final Optional<Path> relaySocket;
    /** gRPC on grpc-java's Netty transport: the Unix socket, and TCP with {@code server.grpc.transport: netty}. */
    private final List<io.grpc.Server> nettyServers = new ArrayList<>();
    /** One virtual thread per call of the Netty listeners: handlers block. */
    private final ExecutorService nettyExecutor = Executors.newVirtualThreadPerTaskExecutor();
    private final List<EventLoopGroup> eventLoopGroups = new ArrayList<>();
    private final Optional<io.grpc.Server> nettyTcp;
    /** TLS of gRPC on the Netty transport (reloaded with the Helidon listeners'). */
    private final Optional<TlsMaterial.NettyTls> nettyTls;
    private final HealthStatusManager health = new HealthStatusManager();
    private final BackendHealth readiness;
    private final RetentionSweeper retention;
    private final EpisodicService episodic;
    private final List<Embedder> embedders;
    private final Telemetry telemetry;
    private final AuthFilter auth;

    private MemsidecarServer(MemsidecarConfig config, Clock clock) {
        this.config = config;
        this.telemetry = Telemetry.start(config.telemetry());
        this.verifier = new AtomicReference<>(config.auth().verifier());
        this.policy = new AtomicReference<>(config.policy());
        try {
            this.backends = openBackends(config, clock, telemetry.registry());
        } catch (RuntimeException e) {
            telemetry.close();
            throw e;
        }
        Services services;
        try {
            services = services(config, backends, telemetry);
        } catch (RuntimeException e) {
            backends.values().forEach(Backend::close);
            telemetry.close();
            throw e;
        }
        this.episodic = services.episodic();
        this.retention = new RetentionSweeper(services.episodic(), clock,
                new Evictions(telemetry.registry(), EpisodicService.BLOCK, "retention"));
        this.embedders = services.embedders();
        this.relaySocket = config.server().nettyTcp() && config.server().sharedPort() && config.server().tls().isEmpty()
                ? SharedPort.privateSocket() : Optional.empty();
        WebServer started = null; // stopped again if a later listener cannot start
        try {
            if (telemetry.metrics()) {
                gauges(services);
            }
            this.auth = new AuthFilter(verifier::get, clock);
            var configured = new HashMap<String, Set<String>>();
            config.namespaces().forEach(ns -> configured.computeIfAbsent(ns.block(), b -> new HashSet<>()).add(ns.name()));
            configured.put("admin", Set.of(""));
            this.table = RoutingTable.of(services.routes()).filtered(List.of(
                    new ObserveFilter(telemetry, configured), auth, new ScopeFilter(), new PolicyFilter(policy::get),
                    new DeadlineFilter(config.server().requestTimeout())));
            this.readiness = new BackendHealth(backends, health, GrpcTransport.serviceNames(), clock);
            if (telemetry.metrics()) {
                readiness.gauges(telemetry.registry());
            }
            List<ServerServiceDefinition> grpcServices = withReflection(GrpcTransport.services(table, "grpc"), auth);
            this.nettyTls = config.server().tls().filter(t -> config.server().nettyTcp()).map(files -> {
                try {
                    return TlsMaterial.netty(files);
                } catch (IllegalArgumentException e) {
                    throw new ConfigLoader.ConfigException(e.getMessage());
                }
            });
            boolean nettyTcp = config.server().nettyTcp();
            // Helidon serves gRPC on TCP unless grpc-netty does; over TLS on a shared port a relayed
            // client may speak gRPC too (SharedPort).
            boolean helidonGrpc = !nettyTcp || config.server().sharedPort() && nettyTls.isPresent();
            started = startWeb(config, helidonGrpc ? GrpcTransport.uncompressed(grpcServices) : List.of());
            this.web = started;
            if (nettyTcp) {
                var tcp = ConfigLoader.hostPort(config.server().grpcTcp(), "server.grpc.tcp");
                var address = new InetSocketAddress(tcp.host(), tcp.port());
                NettyServerBuilder netty;
                if (config.server().sharedPort()) { // what is not gRPC is relayed to Helidon's listener
                    SocketAddress http = relaySocket.<SocketAddress>map(UnixDomainSocketAddress::of)
                            .orElseGet(() -> new InetSocketAddress(InetAddress.getLoopbackAddress(), web.port()));
                    netty = NettyServerBuilder.forAddress(address, SharedPort.credentials(nettyTls.map(TlsMaterial.NettyTls::context),
                                    http, SharedPort.FIRST_BYTES))
                            .handshakeTimeout(Long.MAX_VALUE, TimeUnit.MILLISECONDS);
                } else {
                    netty = NettyServerBuilder.forAddress(address);
                    nettyTls.ifPresent(tls -> netty.sslContext(tls.context()));
                }
                netty.channelFactory(ConnectionCap.serverChannels(config.limits().maxConnections()))
                        .bossEventLoopGroup(eventLoops(ConnectionCap.eventLoops(1)))
                        .workerEventLoopGroup(eventLoops(ConnectionCap.eventLoops(0)));
                this.nettyTcp = Optional.of(startNetty(netty, grpcServices, "tcp " + config.server().grpcTcp()));
            } else {
                this.nettyTcp = Optional.empty();
            }
            config.server().grpcUds().ifPresent(socket -> startUds(socket,
                    withReflection(GrpcTransport.services(table, "grpc-uds"), auth)));
        } catch (RuntimeException e) {
            nettyServers.forEach(io.grpc.Server::shutdownNow);
            nettyExecutor.shutdownNow();
            eventLoopGroups.forEach(g -> g.shutdownGracefully(0, 2, TimeUnit.SECONDS));
            if (started != null) {
                started.stop();
            }
            relaySocket.ifPresent(socket -> removeSocket(socket, SharedPort::removePrivateSocket));
            retention.close();
            backends.values().forEach(Backend::close);
            embedders.forEach(Embedder::close);
            telemetry.close();
            throw e;
        }
        readiness.start();
    }

    /** spec §8's gauges and counters read from the stores and services: cheap, sampled at scrape or push. */
    private void gauges(Services services) {
        MeterRegistry registry = telemetry.registry();
        if (!config.tenantIsolation()) {
            for (var ns : config.namespaces()) {
                Backend backend = backends.get(ns.backend());
                if (AdminService.count(backend, ns).isPresent()) {
                    Gauge.builder("memsidecar.namespace.items", () -> AdminService.count(backend, ns).orElse(0))
                            .description("live items of a namespace").tags("block", ns.block(), "namespace", ns.name())
                            .register(registry);
                }
            }
        }
        services.caches().forEach((ns, cache) -> {
            String model = ns.semantic().map(s -> s.embedder().model()).orElse("");
            FunctionCounter.builder("memsidecar.embedder.cache.hits", cache, CachingEmbedder::hits)
                    .description("texts answered from the embedding cache").tags("namespace", ns.name(), "model", model)
                    .register(registry);
            FunctionCounter.builder("memsidecar.embedder.cache.misses", cache, CachingEmbedder::misses)
                    .description("texts sent to the embedding provider").tags("namespace", ns.name(), "model", model)
                    .register(registry);
        });
        Gauge.builder("memsidecar.episodic.tail.subscribers", services.episodic(), EpisodicService::activeTails)
                .description("episodic tails streaming now").register(registry);
        FunctionCounter.builder("memsidecar.access_log.dropped", AccessLog.global(), AccessLog::dropped)
                .description("access-log lines dropped because the writer was behind").register(registry);
    }

    public static MemsidecarServer start(MemsidecarConfig config) {
        return new MemsidecarServer(config, Clock.systemUTC());
    }

    private static Map<String, Backend> openBackends(MemsidecarConfig config, Clock clock, MeterRegistry registry) {
        Map<String, BackendProvider> providers = Providers.byName(BackendProvider.class, BackendProvider::driver);
        var open = new LinkedHashMap<String, Backend>();
        try {
            for (var b : config.backends()) {
                BackendProvider p = providers.get(b.driver());
                if (p == null) {
                    throw new ConfigLoader.ConfigException("backends[" + b.name() + "].driver: "
                            + OptionalParts.missingDriver(b.driver(), providers.keySet()));
                }
                try {
                    open.put(b.name(), p.open(new BackendSpec(b.name(),
                            new Options("backends[" + b.name() + "].options", b.options()), clock, registry)));
                } catch (IllegalArgumentException e) {
                    throw new ConfigLoader.ConfigException(e.getMessage());
                }
            }
        } catch (RuntimeException e) {
            open.values().forEach(Backend::close);
            throw e;
        }
        return open;
    }

    /** The contract's services plus health and (authenticated) reflection over all of them. */
    private List<ServerServiceDefinition> withReflection(List<ServerServiceDefinition> services, AuthFilter auth) {
        var all = new ArrayList<>(services);
        all.add(health.getHealthService().bindService());
        all.add(Reflection.service(all, auth));
        return all;
    }

    /**
     * Every block's routes; the episodic service also feeds the retention sweeper and the tail
     * gauge; the embedding caches feed their counters; embedders close last.
     */
    private record Services(List<Route<?, ?>> routes, EpisodicService episodic, List<Embedder> embedders,
                            Map<MemsidecarConfig.NamespaceConfig, CachingEmbedder> caches) {
    }

    /** A namespace's store behind its SPI, measured and traced (not wrapped at all when both are off). */
    private static <T> T instrumented(Backend backend, Class<T> spi, MemsidecarConfig.NamespaceConfig ns, Telemetry telemetry) {
        return Instrumented.store(spi, store(backend, spi, ns), ns.block(), ns.name(), backend.driver(), telemetry);
    }

    /**
     * The namespace's KV store, through the driver's access tier when the namespace has one. The
     * memory driver (as in the original) and the sqlite driver serve it; the original ignored it on
     * every other driver, so a config written for it still starts there, and the ignored keys are
     * named in a warning.
     */
    private static KvStore kvStore(Backend backend, MemsidecarConfig.NamespaceConfig ns) {
        KvStore store = store(backend, KvStore.class, ns);
        if (ns.access().isEmpty()) {
            return store;
        }
        if (!(store instanceof AccessTiered tiered)) {
            LOG.log(Level.WARNING, "namespaces[kv/" + ns.name() + "].access ignored: the access tier is served by the memory"
                    + " and sqlite drivers only; backend " + backend.name() + " is " + backend.driver());
            return store;
        }
        return tiered.withAccess(ns.access().get());
    }

    /** The store sealed with the keyring when the namespace says {@code encrypt: true}. */
    private static <T> T encrypted(MemsidecarConfig config, MemsidecarConfig.NamespaceConfig ns, T store,
                                   java.util.function.BiFunction<T, Keyring, T> seal) {
        return ns.encrypt() ? seal.apply(store, config.encryption().orElseThrow()) : store;
    }

    private static Services services(MemsidecarConfig config, Map<String, Backend> backends, Telemetry telemetry) {
        var kv = new LinkedHashMap<String, KvNamespace>();
        var leases = new LinkedHashMap<String, LeaseNamespace>();
        var episodic = new LinkedHashMap<String, EpisodicNamespace>();
        var artifacts = new LinkedHashMap<String, ArtifactNamespace>();
        var semantic = new LinkedHashMap<String, SemanticNamespace>();
        var graphs = new LinkedHashMap<String, GraphNamespace>();
        var embedders = new ArrayList<Embedder>();
        var caches = new LinkedHashMap<MemsidecarConfig.NamespaceConfig, CachingEmbedder>();
        Map<String, EmbedderProvider> embedderProviders = Providers.byName(EmbedderProvider.class,
                EmbedderProvider::provider);
        try {
            for (var ns : config.namespaces()) {
                Backend backend = backends.get(ns.backend());
                switch (ns.block()) {
                    case KvService.BLOCK -> kv.put(ns.name(), new KvNamespace(ns.name(),
                            encrypted(config, ns, Instrumented.store(KvStore.class, kvStore(backend, ns), ns.block(), ns.name(),
                                    backend.driver(), telemetry), EncryptedStores::kv), ns.maxItems()));
                    case LeaseService.BLOCK -> leases.put(ns.name(),
                            new LeaseNamespace(ns.name(), instrumented(backend, LeaseStore.class, ns, telemetry)));
                    case ArtifactService.BLOCK -> artifacts.put(ns.name(),
                            new ArtifactNamespace(ns.name(), encrypted(config, ns, instrumented(backend, ArtifactStore.class, ns,
                                    telemetry), (store, keyring) -> new EncryptedArtifacts(store, keyring)), ns.maxSize()));
                    case EpisodicService.BLOCK -> episodic.put(ns.name(), new EpisodicNamespace(ns.name(),
                            encrypted(config, ns, instrumented(backend, EpisodicStore.class, ns, telemetry),
                                    EncryptedStores::episodic), ns.retention()));
                    case SemanticService.BLOCK -> {
                        var sem = ns.semantic().orElseThrow();
                        SemanticIndex index = Instrumented.store(SemanticIndex.class,
                                store(backend, SemanticStore.class, ns).open(sem.index()), ns.block(), ns.name(),
                                backend.driver(), telemetry);
                        Embedder embedder = embedder(embedderProviders, ns, sem.embedder(), embedders, telemetry);
                        if (embedder instanceof CachingEmbedder cache) {
                            caches.put(ns, cache);
                        }
                        semantic.put(ns.name(), new SemanticNamespace(ns.name(), index, embedder));
                    }
                    case GraphService.BLOCK -> graphs.put(ns.name(),
                            new GraphNamespace(ns.name(), instrumented(backend, GraphStore.class, ns, telemetry)));
                    default -> throw new IllegalStateException("unknown block " + ns.block());
                }
            }
        } catch (RuntimeException e) {
            embedders.forEach(Embedder::close);
            throw e;
        }
        var episodicService = new EpisodicService(episodic, config.tenantIsolation(), config.limits(),
                config.server().tailReconnectMax());
        List<Route<?, ?>> routes = new ArrayList<>(new KvService(kv, config.tenantIsolation(), config.limits()).routes());
        routes.addAll(new LeaseService(leases, config.tenantIsolation(), config.limits(),
                config.server().tailReconnectMax()).routes());
        routes.addAll(episodicService.routes());
        routes.addAll(new ArtifactService(artifacts, config.tenantIsolation(), config.limits()).routes());
        routes.addAll(new SemanticService(semantic, config.tenantIsolation(), config.limits()).routes());
        routes.addAll(new GraphService(graphs, config.tenantIsolation(), config.limits()).routes());
        routes.addAll(new RecallService(semantic, graphs, config.tenantIsolation(), config.limits()).routes());
        routes.addAll(new AdminService(config, backends).routes());
        return new Services(routes, episodicService, embedders, caches);
    }

    /** Opens a namespace's embedder behind its cache; registers it in {@code opened} to be closed. */
    private static Embedder embedder(Map<String, EmbedderProvider> providers, MemsidecarConfig.NamespaceConfig ns,
                                     MemsidecarConfig.Embedder config, List<Embedder> opened, Telemetry telemetry) {
        String at = "namespaces[" + ns.block() + "/" + ns.name() + "].embedder";
        EmbedderProvider provider = providers.get(config.provider());
        if (provider == null) {
            throw new ConfigLoader.ConfigException(at + ".provider: " + OptionalParts.missingEmbedder(config.provider()));
        }
        try {
            Embedder embedder = provider.open(new EmbedderSpec(config.provider(), config.model(), config.dimensions(),
                    new Options(at + ".options", config.options()), System.getenv()));
            opened.add(embedder);
            return CachingEmbedder.wrap(Instrumented.embedder(Embedder.class, embedder, config.provider(), config.model(),
                    telemetry), config.cacheSize());
        } catch (IllegalArgumentException e) {
            throw new ConfigLoader.ConfigException(e.getMessage());
        }
    }

    private static <T> T store(Backend backend, Class<T> spi, MemsidecarConfig.NamespaceConfig ns) {
        return backend.store(spi).orElseThrow(() -> new ConfigLoader.ConfigException("namespace " + ns.block() + "/"
                + ns.name() + ": driver " + backend.driver() + " does not serve the " + ns.block() + " block"));
    }

    private WebServer startWeb(MemsidecarConfig config, List<ServerServiceDefinition> services) {
        var grpc = GrpcRouting.builder();
        services.forEach(grpc::service);
        var builder = WebServer.builder()
                .shutdownHook(false)
                .shutdownGracePeriod(config.server().shutdownTimeout())
                // Without TCP_NODELAY, Nagle holds back the gRPC trailers of each response for a
                // delayed ACK: ~40 ms per sequential call on one connection.
                .connectionOptions(o -> o.tcpNoDelay(true))
                .maxTcpConnections(config.limits().maxConnections())
                .addProtocol(http2(config.limits()))
                // gRPC messages past the limit are refused before Helidon buffers them. No compression:
                // Helidon would gzip every response to a client that accepts gzip (grpc-java clients
                // always say so), which cost its transport most of its speed; grpc-java's server does not.
                .addProtocol(GrpcConfig.builder().enableCompression(false)
                        .maxReadBufferSize((int) Math.min(Integer.MAX_VALUE - 8, config.limits().maxMessageBytes())).build())
                .addRouting(grpc)
                .routing(this::httpRoutes);
        // With gRPC on Netty, Helidon's default listener is server.http.addr (HTTP routes only), or
        // without it the Unix socket or loopback port that grpc-netty relays the shared port's other clients to (SharedPort).
        if (!config.server().nettyTcp()) {
            var tcp = ConfigLoader.hostPort(config.server().grpcTcp(), "server.grpc.tcp");
            builder.host(tcp.host()).port(tcp.port());
        } else if (config.server().httpAddr().isPresent()) {
            var tcp = ConfigLoader.hostPort(config.server().httpAddr().get(), "server.http.addr");
            builder.host(tcp.host()).port(tcp.port());
        } else if (relaySocket.isPresent()) {
            builder.bindAddress(UnixDomainSocketAddress.of(relaySocket.get())).useNio(true) // Helidon's Unix sockets need NIO
                    .connectionOptions(o -> o.socketSendBufferSize(SharedPort.UNIX_SEND_BUFFER)); // for downloads, as the relay's for uploads
        } else {
            builder.address(InetAddress.getLoopbackAddress()).port(0);
        }
        Optional<Tls> tls = config.server().tls().map(files -> {
            try {
                return TlsMaterial.load(files);
            } catch (IllegalArgumentException e) {
                throw new ConfigLoader.ConfigException(e.getMessage());
            }
        });
        tls.ifPresent(builder::tls);
        config.server().httpAddr().filter(a -> !config.server().nettyTcp()).ifPresent(addr -> {
            var hp = ConfigLoader.hostPort(addr, "server.http.addr");
            builder.putSocket("http", s -> s.host(hp.host()).port(hp.port())
                    .connectionOptions(o -> o.tcpNoDelay(true))
                    .maxTcpConnections(config.limits().maxConnections())
                    .addProtocol(http2(config.limits()))
                    .update(socket -> tls.ifPresent(socket::tls))
                    .shutdownGracePeriod(config.server().shutdownTimeout()));
            builder.routing("http", this::httpRoutes);
        });
        telemetry.prometheus().ifPresent(prometheus -> {
            var metrics = config.telemetry().metrics();
            var hp = ConfigLoader.hostPort(metrics.prometheusAddr(), "metrics.prometheus.addr");
            builder.putSocket("metrics", s -> s.host(hp.host()).port(hp.port())
                    .maxTcpConnections(config.limits().maxConnections()).update(socket -> tls.ifPresent(socket::tls)));
            builder.routing("metrics", r -> r.get(metrics.prometheusPath(), (req, res) -> res
                    .header(HeaderNames.CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8").send(prometheus.scrape())));
        });
        WebServer started = builder.build().start();
        config.server().tls().ifPresent(files -> FileWatch.onChange(files.files(), this::reloadTls, "tls"));
        return started;
    }

    /**
     * Reads the certificate files again and swaps them in on every TCP listener: new connections
     * get the new certificate, open ones keep theirs. A file that does not load is logged and the
     * running certificate stays. On SIGHUP, and when a file changes (cert-manager rotates in place).
     */
    public void reloadTls() {
        config.server().tls().ifPresent(files -> {
            try {
                Tls fresh = TlsMaterial.load(files);
                nettyTls.ifPresent(tls -> tls.reload(files));
                web.reloadTls(fresh);
                for (String socket : List.of("http", "metrics")) {
                    if (web.hasTls(socket)) {
                        web.reloadTls(socket, fresh);
                    }
                }
                LOG.log(Level.INFO, "reloaded TLS certificate from " + files.certFile());
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "TLS reload rejected, the running certificate stays: " + e.getMessage());
            }
        });
    }

    /**
     * HTTP/2 settings that keep Helidon 4.2's inbound flow control on its "simple" strategy (one
     * WINDOW_UPDATE per DATA frame). Its "bisection" strategy, chosen when the window holds four
     * frames, shares an unsynchronized counter for the connection window between the streams'
     * threads, and under concurrent calls on one connection sends a zero WINDOW_UPDATE, which
     * clients treat as a protocol error that kills the connection.
     */
    private static Http2Config http2(io.memsidecar.core.Limits limits) {
        return Http2Config.builder().maxFrameSize(1 << 20).initialWindowSize(1 << 20)
                .maxConcurrentStreams(limits.maxConcurrentStreams()).build();
    }

    private void httpRoutes(HttpRouting.Builder http) {
        var bodies = new Bodies(config.limits().maxMessageBytes());
        new HttpGateway(table, bodies).register(http);
        new KvCurlRoutes(table, bodies).register(http);
        new EpisodicCurlRoutes(table).register(http);
        new ArtifactCurlRoutes(table).register(http);
        new SemanticCurlRoutes(table, bodies).register(http);
        new GraphCurlRoutes(table, bodies).register(http);
        new RecallCurlRoutes(table, bodies).register(http);
        new McpHttp(table, bodies, auth::authenticate, config.namespaces().stream().map(ns -> NamespaceInfo.newBuilder()
                .setBlock(ns.block()).setName(ns.name()).build()).toList()).register(http);
        http.get("/livez", (req, res) -> res.header(HeaderNames.CONTENT_TYPE, "application/json").send("{\"status\":\"UP\"}"));
        http.get("/readyz", (req, res) -> res.status(readiness.ready() ? Status.OK_200 : Status.SERVICE_UNAVAILABLE_503)
                .header(HeaderNames.CONTENT_TYPE, "application/json").send(readiness.json()));
    }

    private void startUds(Path socket, List<ServerServiceDefinition> services) {
        try {
            Path parent = socket.toAbsolutePath().getParent();
            if (parent != null && !Files.isDirectory(parent)) {
                Files.createDirectories(parent, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
            }
            Files.deleteIfExists(socket); // a stale socket from a crashed run
            startNetty(NettyServerBuilder.forAddress(new DomainSocketAddress(socket.toString()))
                    .channelType(EpollServerDomainSocketChannel.class)
                    .bossEventLoopGroup(eventLoops(new EpollEventLoopGroup(1)))
                    .workerEventLoopGroup(eventLoops(new EpollEventLoopGroup(2))), services, "unix socket " + socket);
            Files.setPosixFilePermissions(socket, PosixFilePermissions.fromString("rw-rw----"));
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on unix socket " + socket + ": " + e.getMessage(), e);
        }
    }

    /** How a listener's socket file (and what was made for it) is removed. */
    private interface SocketRemoval {
        void remove(Path socket) throws IOException;
    }

    /** Removes a socket this server listened on; a failure is logged, the stop goes on. */
    private static void removeSocket(Path socket, SocketRemoval removal) {
        try {
            removal.remove(socket);
        } catch (IOException e) {
            LOG.log(Level.WARNING, "could not remove socket " + socket + ": " + e.getMessage());
        }
    }

    /** Keeps {@code group} to be shut down with the server (grpc-netty leaves groups it was given running). */
    private EventLoopGroup eventLoops(EventLoopGroup group) {
        eventLoopGroups.add(group);
        return group;
    }

    /** A grpc-java Netty listener with the message and stream limits, calls on virtual threads. */
    private io.grpc.Server startNetty(NettyServerBuilder builder, List<ServerServiceDefinition> services, String where) {
        builder.executor(nettyExecutor)
                .maxInboundMessageSize((int) Math.min(Integer.MAX_VALUE, config.limits().maxMessageBytes()))
                .maxConcurrentCallsPerConnection(config.limits().maxConcurrentStreams());
        services.forEach(builder::addService);
        try {
            io.grpc.Server server = builder.build().start();
            nettyServers.add(server);
            return server;
        } catch (IOException e) {
            throw new IllegalStateException("cannot listen on " + where + ": " + e.getMessage(), e);
        }
    }

    /**
     * Swaps in the trusted keys and the policy of {@code reloaded} (spec §3.8): key rotation and
     * policy changes without a restart. Listeners, backends and namespaces need a restart; rate
     * limit buckets start full under the new policy.
     */
    public void reload(MemsidecarConfig reloaded) {
        if (reloaded.auth().jwt().isEmpty() && reloaded.auth().publicKeyHexes().isEmpty()) {
            throw new ConfigLoader.ConfigException("auth.paseto.public_key_hexes: at least one public key is required");
        }
        verifier.set(reloaded.auth().verifier());
        reloadTls();
        policy.set(reloaded.policy());
        if (!reloaded.server().equals(config.server()) || !reloaded.backends().equals(config.backends())
                || !reloaded.namespaces().equals(config.namespaces())) {
            LOG.log(Level.WARNING, "reload: changes to server, backends or namespaces take effect after a restart");
        }
    }

    /** The bound gRPC TCP port (useful when configured as 0). */
    public int port() {
        return nettyTcp.map(io.grpc.Server::getPort).orElseGet(web::port);
    }

    /** The bound port of {@code server.http.addr}: Helidon's own listener when gRPC is on Netty. */
    public Optional<Integer> httpPort() {
        return config.server().httpAddr().map(a -> config.server().nettyTcp() ? web.port() : web.port("http"));
    }

    /** The Unix socket the shared port relays HTTP to, when it is one (plaintext on grpc-netty, Linux). */
    public Optional<Path> relaySocket() {
        return relaySocket;
    }

    /** The bound port of the Prometheus listener, when metrics.exporter is prometheus. */
    public Optional<Integer> metricsPort() {
        return telemetry.prometheus().map(p -> web.port("metrics"));
    }

    /** Stops accepting, lets in-flight calls finish within the shutdown timeout, closes backends. */
    @Override
    public void close() {
        readiness.close();
        health.enterTerminalState();
        episodic.stop(); // live tails end now rather than hold the drain for the grace period
        long deadline = config.server().shutdownTimeout().toMillis();
        // Both listeners drain at once within one shutdown_timeout. Helidon's own stop waits its grace
        // period twice while clients hold idle connections (reader tasks, then the shared executor), so
        // it is given the timeout and then left behind: past it, the stop is forced (spec §3.1).
        Thread webStop = Thread.ofVirtual().name("memsidecar-web-stop").start(web::stop);
        nettyServers.forEach(io.grpc.Server::shutdown);
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(deadline);
        for (io.grpc.Server s : nettyServers) {
            try {
                if (!s.awaitTermination(Math.max(0, until - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                    s.shutdownNow();
                }
            } catch (InterruptedException e) {
                s.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
        nettyExecutor.shutdownNow();
        eventLoopGroups.forEach(g -> g.shutdownGracefully(0, 2, TimeUnit.SECONDS));
        try {
            if (!webStop.join(config.server().shutdownTimeout())) {
                LOG.log(Level.WARNING, "connections still open after shutdown_timeout " + config.server().shutdownTimeout()
                        + "; stopping without them");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        config.server().grpcUds().ifPresent(socket -> removeSocket(socket, Files::deleteIfExists));
        relaySocket.ifPresent(socket -> removeSocket(socket, SharedPort::removePrivateSocket));
        AccessLog.global().flush(); // every call's line is out before the process ends
        retention.close();
        backends.values().forEach(Backend::close);
        embedders.forEach(Embedder::close);
        telemetry.close();
    }
}
