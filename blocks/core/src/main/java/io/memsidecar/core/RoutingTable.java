package io.memsidecar.core;

import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Every route of the server, by full gRPC method name. Blocks contribute routes; the server
 * composes the filter chain once with {@link #filtered(List)} and generates both transports
 * from the result, so gRPC and HTTP cannot disagree on who may do what.
 */
public final class RoutingTable {
    private final Map<String, Route<?, ?>> routes;

    private RoutingTable(Map<String, Route<?, ?>> routes) {
        this.routes = Collections.unmodifiableMap(routes);
    }

    public static RoutingTable of(Collection<? extends Route<?, ?>> routes) {
        var map = new LinkedHashMap<String, Route<?, ?>>();
        for (Route<?, ?> r : routes) {
            if (map.putIfAbsent(r.fullName(), r) != null) {
                throw new IllegalArgumentException("duplicate route " + r.fullName());
            }
        }
        return new RoutingTable(map);
    }

    /** A table whose handlers are wrapped by {@code filters}, the first one outermost. */
    public RoutingTable filtered(List<Filter> filters) {
        var map = new LinkedHashMap<String, Route<?, ?>>();
        routes.forEach((name, route) -> map.put(name, route.filtered(filters)));
        return new RoutingTable(map);
    }

    public Optional<Route<?, ?>> route(String fullName) {
        return Optional.ofNullable(routes.get(fullName));
    }

    public Collection<Route<?, ?>> routes() {
        return routes.values();
    }
}
