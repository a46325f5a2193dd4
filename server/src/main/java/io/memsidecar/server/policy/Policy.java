package io.memsidecar.server.policy;

import io.memsidecar.core.Capability;
import io.memsidecar.core.Op;
import io.memsidecar.core.Patterns;
import io.memsidecar.core.Scope;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The rule engine of spec §5. Rules are scanned in order: {@code allow} and {@code deny} decide
 * at once, {@code rate_limit} takes a token (or rejects as exhausted) and goes on, {@code cap}
 * checks request sizes and goes on. When no rule decides, {@code default} does (allow unless it
 * says deny). Rate limiting is a rule effect, so it keeps its place in the rule order.
 */
public final class Policy {
    /** Buckets kept before idle, full ones are dropped (the original never dropped any). */
    private static final int MAX_BUCKETS = 10_000;

    public enum Effect { ALLOW, DENY, RATE_LIMIT, CAP }

    public record Match(List<String> tenant, List<String> agent, List<String> block, List<String> namespace,
                        List<String> op) {
        public static final Match ANY = new Match(List.of(), List.of(), List.of(), List.of(), List.of());
    }

    public record Bucket(boolean perTenant, boolean perAgent, boolean perNamespace, boolean perOp,
                         double ratePerSecond, int burst) {
    }

    public record Rule(String name, Effect effect, String reason, Match match, Bucket bucket, Map<String, Long> max) {
    }

    public record Decision(boolean allowed, boolean exhausted, String reason) {
        static final Decision ALLOW = new Decision(true, false, "allowed");
    }

    private final boolean defaultDeny;
    private final List<Rule> rules;
    private final ConcurrentHashMap<String, TokenBucket> buckets = new ConcurrentHashMap<>();
    private final java.util.function.LongSupplier nanoTime;

    public Policy(boolean defaultDeny, List<Rule> rules, java.util.function.LongSupplier nanoTime) {
        this.defaultDeny = defaultDeny;
        this.rules = List.copyOf(rules);
        this.nanoTime = nanoTime;
    }

    public boolean defaultDeny() {
        return defaultDeny;
    }

    public int ruleCount() {
        return rules.size();
    }

    public Decision decide(Capability capability, Op op, Scope scope) {
        for (Rule rule : rules) {
            if (!matches(rule.match(), capability, op, scope)) {
                continue;
            }
            switch (rule.effect()) {
                case ALLOW -> {
                    return new Decision(true, false, or(rule.reason(), "allowed by " + rule.name()));
                }
                case DENY -> {
                    return new Decision(false, false, or(rule.reason(), "denied by " + rule.name()));
                }
                case RATE_LIMIT -> {
                    if (!bucket(rule, capability, op, scope).tryTake(nanoTime.getAsLong())) {
                        return new Decision(false, true, or(rule.reason(), "rate limited by " + rule.name()));
                    }
                }
                case CAP -> {
                    for (var limit : rule.max().entrySet()) {
                        OptionalLong value = scope.size(limit.getKey());
                        if (value.isPresent() && value.getAsLong() > limit.getValue()) {
                            return new Decision(false, true, or(rule.reason(), limit.getKey() + " " + value.getAsLong()
                                    + " exceeds cap " + limit.getValue() + " (rule " + rule.name() + ")"));
                        }
                    }
                }
                default -> throw new IllegalStateException("unknown effect " + rule.effect());
            }
        }
        return defaultDeny ? new Decision(false, false, "default deny") : Decision.ALLOW;
    }

    private static boolean matches(Match m, Capability c, Op op, Scope scope) {
        return (m.tenant().isEmpty() || m.tenant().contains(c.tenant()))
                && (m.agent().isEmpty() || m.agent().contains(c.agent()))
                && (m.block().isEmpty() || m.block().contains(op.block()))
                && (m.namespace().isEmpty() || m.namespace().stream().anyMatch(p -> Patterns.matches(p, scope.namespace())))
                && (m.op().isEmpty() || m.op().contains(op.name()) || m.op().contains(op.verb()));
    }

    private TokenBucket bucket(Rule rule, Capability c, Op op, Scope scope) {
        Bucket b = rule.bucket();
        var key = new StringBuilder(rule.name());
        if (b.perTenant()) {
            key.append("|t=").append(c.tenant());
        }
        if (b.perAgent()) {
            key.append("|a=").append(c.agent());
        }
        if (b.perNamespace()) {
            key.append("|n=").append(op.block()).append('/').append(scope.namespace());
        }
        if (b.perOp()) {
            key.append("|o=").append(op.name());
        }
        if (buckets.size() > MAX_BUCKETS) {
            long now = nanoTime.getAsLong();
            buckets.values().removeIf(tb -> tb.isFull(now));
        }
        return buckets.computeIfAbsent(key.toString(),
                k -> new TokenBucket(b.ratePerSecond(), Math.max(1, b.burst()), nanoTime.getAsLong()));
    }

    private static String or(String preferred, String fallback) {
        return preferred == null || preferred.isEmpty() ? fallback : preferred;
    }

    /** A classic token bucket: {@code burst} tokens, refilled at {@code rate} per second. */
    static final class TokenBucket {
        private final double ratePerNano;
        private final double capacity;
        private double tokens;
        private long last;

        TokenBucket(double ratePerSecond, int burst, long now) {
            this.ratePerNano = ratePerSecond / 1e9;
            this.capacity = burst;
            this.tokens = burst;
            this.last = now;
        }

        synchronized boolean tryTake(long now) {
            refill(now);
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }

        synchronized boolean isFull(long now) {
            refill(now);
            return tokens >= capacity;
        }

        private void refill(long now) {
            tokens = Math.min(capacity, tokens + (now - last) * ratePerNano);
            last = now;
        }
    }
}
