package io.memsidecar.server.config;

import io.helidon.config.Config;
import java.util.ArrayList;
import java.util.List;

/**
 * Every key a config may hold (spec §3 plus this build's additions). A key that is not here fails
 * the start with its path. {@code *} is one path segment (a list index or a map key), {@code **} any rest.
 */
public final class ConfigKeys {
    private static final String OTLP = "endpoint insecure compression headers.** headers_env.**";

    private static final List<List<String>> KNOWN = patterns(
            "server.grpc", "tcp uds transport tls.cert_file tls.key_file tls.client_ca_file tls.require_client_cert",
            "server.http", "addr",
            "server", "shutdown_timeout request_timeout tail_reconnect_max",
            "tracing", "exporter sample_ratio",
            "tracing.otlp", OTLP,
            "metrics", "exporter virtual_thread_events",
            "metrics.prometheus", "addr path",
            "metrics.otlp", OTLP + " interval",
            "logging", "level format access access_sample",
            "auth", "verifier",
            "auth.paseto", "public_key_hex public_key_hexes.* private_key_hex",
            "auth.jwt", "alg secret_env public_pem public_pems.*",
            "policy", "default",
            "policy.rules.*", "name effect reason match.tenant.* match.agent.* match.block.* match.namespace.* match.op.*"
                    + " bucket.per_tenant bucket.per_agent bucket.per_namespace bucket.per_op bucket.rate_per_second"
                    + " bucket.burst max.top_k max.limit max.depth max.fan_out max.rerank_candidate_k max.max_nodes",
            "", "tenant_isolation data_dir",
            "limits", "max_message_bytes max_value_bytes max_batch_items max_connections max_concurrent_streams max_metadata_bytes max_txn_ops",
            "encryption", "allow_plaintext_reads keys.*.id keys.*.secret_env keys.*.secret_file",
            "backends.*", "name driver options.**",
            "namespaces.*", "block name backend max_items max_size encrypt text_search distance hnsw.m hnsw.ef_construction hnsw.ef_search"
                    + " access.track access.slide_ttl_seconds access.capacity access.heat_half_life_seconds"
                    + " retention.max_age_seconds retention.max_items retention.action retention.interval_seconds"
                    + " embedder.provider embedder.model embedder.dimensions embedder.cache_size embedder.options.**");


    private ConfigKeys() {
    }

    private static List<List<String>> patterns(String... prefixAndKeys) {
        var out = new ArrayList<List<String>>();
        for (int i = 0; i < prefixAndKeys.length; i += 2) {
            for (String key : prefixAndKeys[i + 1].split(" ")) {
                String full = prefixAndKeys[i].isEmpty() ? key : prefixAndKeys[i] + "." + key;
                out.add(List.of(full.split("\\.")));
            }
        }
        return out;
    }

    /**
     * Every key the loader accepts, dotted: {@code *} stands for any one list index or map key, {@code **}
     * for anything below (docs/configuration.md, "Every key", is checked against this list).
     */
    public static List<String> known() {
        return KNOWN.stream().map(p -> String.join(".", p)).toList();
    }

    /** Fails on the first unknown key. */
    static void check(Config root) {
        root.traverse().forEach(node -> {
            boolean value = node.type() == Config.Type.VALUE;
            if (!value && node.traverse().findAny().isPresent()) {
                return; // its leaves are checked
            }
            List<String> path = List.of(node.key().toString().split("\\."));
            // an empty list or section is fine where keys may follow
            if (KNOWN.stream().noneMatch(p -> value ? matches(p, path) : matches(p.subList(0, Math.min(p.size(),
                    path.size())), path))) {
                throw new ConfigLoader.ConfigException("unknown key " + node.key()
                        + " (a typo, or a key of a newer version? see etc/memsidecar.yaml for every key)");
            }
        });
    }

    private static boolean matches(List<String> pattern, List<String> path) {
        for (int i = 0; i < pattern.size(); i++) {
            String p = pattern.get(i);
            if (p.equals("**")) {
                return true;
            }
            if (i >= path.size() || (!p.equals("*") && !p.equals(path.get(i)))) {
                return false;
            }
        }
        return pattern.size() == path.size();
    }
}
