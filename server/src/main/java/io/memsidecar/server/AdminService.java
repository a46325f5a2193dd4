package io.memsidecar.server;

import io.memsidecar.core.Op;
import io.memsidecar.core.Route;
import io.memsidecar.core.Scope;
import io.memsidecar.core.spi.Backend;
import io.memsidecar.graph.GraphService;
import io.memsidecar.graph.spi.GraphStore;
import io.memsidecar.kv.KvService;
import io.memsidecar.kv.spi.KvStore;
import io.memsidecar.proto.Version;
import io.memsidecar.proto.admin.v1.EmbedderInfo;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import io.memsidecar.proto.admin.v1.ListNamespacesResponse;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import io.memsidecar.proto.admin.v1.ServerInfo;
import io.memsidecar.server.config.MemsidecarConfig;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Read-only introspection (spec §2.8): the configured namespaces, their backend and driver, and a
 * live item count where the driver has a cheap one (KV keys, graph nodes). Needs op {@code admin.inspect}, no
 * namespace scope. It lives in the server because it reads the config, not one block.
 */
public final class AdminService {
    static final String SERVICE = "memsidecar.admin.v1.Admin";
    static final Op INSPECT = Op.read("admin", "inspect");

    private final MemsidecarConfig config;
    private final Map<String, Backend> backends;

    AdminService(MemsidecarConfig config, Map<String, Backend> backends) {
        this.config = config;
        this.backends = backends;
    }

    List<Route<?, ?>> routes() {
        return List.of(Route.unary(SERVICE, "ListNamespaces", ListNamespacesRequest.getDefaultInstance(),
                ListNamespacesResponse.getDefaultInstance(), INSPECT, r -> Scope.of("admin", ""), (call, r) -> {
                    call.requireCapability().check(INSPECT, "");
                    return list();
                }));
    }

    /**
     * The cheap counts, also behind the {@code memsidecar.namespace.items} gauge: KV live keys and
     * graph nodes (under tenant isolation they are per tenant: none).
     */
    static OptionalLong count(Backend backend, MemsidecarConfig.NamespaceConfig ns) {
        return switch (ns.block()) {
            case KvService.BLOCK -> backend.store(KvStore.class).map(s -> s.size(ns.name())).orElse(OptionalLong.empty());
            case GraphService.BLOCK -> backend.store(GraphStore.class).map(s -> s.size(ns.name())).orElse(OptionalLong.empty());
            default -> OptionalLong.empty();
        };
    }

    private ListNamespacesResponse list() {
        var b = ListNamespacesResponse.newBuilder().setServer(ServerInfo.newBuilder().setVersion(Version.current()));
        config.namespaces().stream()
                .sorted(Comparator.comparing(MemsidecarConfig.NamespaceConfig::block)
                        .thenComparing(MemsidecarConfig.NamespaceConfig::name))
                .forEach(ns -> {
                    Backend backend = backends.get(ns.backend());
                    var info = NamespaceInfo.newBuilder().setBlock(ns.block()).setName(ns.name())
                            .setBackend(ns.backend()).setDriver(backend.driver());
                    ns.semantic().map(MemsidecarConfig.Semantic::embedder).ifPresent(e -> info.setEmbedder(
                            EmbedderInfo.newBuilder().setProvider(e.provider()).setModel(e.model()).setDimensions(e.dimensions())));
                    if (!config.tenantIsolation()) {
                        count(backend, ns).ifPresent(count -> info.setItemCount(count).setHasCount(true));
                    }
                    b.addNamespaces(info);
                });
        return b.build();
    }
}
