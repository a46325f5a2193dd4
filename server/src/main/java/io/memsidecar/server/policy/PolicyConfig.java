package io.memsidecar.server.policy;

import io.helidon.config.Config;
import io.memsidecar.server.config.ConfigLoader;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Reads and validates the {@code policy} section (spec §3.4, §5) into a {@link Policy}. */
public final class PolicyConfig {
    static final List<String> CAP_FIELDS = List.of("top_k", "limit", "depth", "fan_out", "rerank_candidate_k", "max_nodes");

    private PolicyConfig() {
    }

    public static Policy read(Config p) {
        String def = p.get("default").asString().orElse("").toLowerCase(Locale.ROOT);
        if (!def.isEmpty() && !def.equals("allow") && !def.equals("deny")) {
            throw new ConfigLoader.ConfigException("policy.default must be allow or deny, got \"" + def + "\"");
        }
        var rules = new ArrayList<Policy.Rule>();
        var names = new HashSet<String>();
        var nodes = p.get("rules").asNodeList().orElse(List.of());
        for (int i = 0; i < nodes.size(); i++) {
            Config r = nodes.get(i);
            String at = "policy.rules[" + i + "]";
            String name = r.get("name").asString().filter(s -> !s.isBlank())
                    .orElseThrow(() -> new ConfigLoader.ConfigException(at + ".name is required"));
            if (!names.add(name)) {
                throw new ConfigLoader.ConfigException(at + ".name: duplicate rule \"" + name + "\"");
            }
            String effectName = r.get("effect").asString().orElse("");
            Policy.Effect effect = switch (effectName) {
                case "allow" -> Policy.Effect.ALLOW;
                case "deny" -> Policy.Effect.DENY;
                case "rate_limit" -> Policy.Effect.RATE_LIMIT;
                case "cap" -> Policy.Effect.CAP;
                default -> throw new ConfigLoader.ConfigException(
                        at + ".effect must be allow, deny, rate_limit or cap, got \"" + effectName + "\"");
            };
            Config m = r.get("match");
            var match = new Policy.Match(strings(m.get("tenant")), strings(m.get("agent")), strings(m.get("block")),
                    strings(m.get("namespace")), strings(m.get("op")));
            Config b = r.get("bucket");
            var bucket = new Policy.Bucket(b.get("per_tenant").asBoolean().orElse(false),
                    b.get("per_agent").asBoolean().orElse(false), b.get("per_namespace").asBoolean().orElse(false),
                    b.get("per_op").asBoolean().orElse(false), b.get("rate_per_second").asDouble().orElse(0.0),
                    b.get("burst").asInt().orElse(0));
            if (effect == Policy.Effect.RATE_LIMIT && bucket.ratePerSecond() <= 0) {
                throw new ConfigLoader.ConfigException(at + ".bucket.rate_per_second must be > 0 for rate_limit");
            }
            Map<String, Long> max = new LinkedHashMap<>();
            for (String field : CAP_FIELDS) {
                r.get("max." + field).asLong().filter(v -> v > 0).ifPresent(v -> max.put(field, v));
            }
            if (effect == Policy.Effect.CAP && max.isEmpty()) {
                throw new ConfigLoader.ConfigException(at + ".max needs at least one of " + CAP_FIELDS + " for cap");
            }
            rules.add(new Policy.Rule(name, effect, r.get("reason").asString().orElse(""), match, bucket, max));
        }
        return new Policy(def.equals("deny"), rules, System::nanoTime);
    }

    private static List<String> strings(Config node) {
        return node.asList(String.class).orElse(List.of());
    }
}
