package io.memsidecar.server.policy;

import static org.assertj.core.api.Assertions.assertThat;

import io.memsidecar.core.Capability;
import io.memsidecar.core.Op;
import io.memsidecar.core.Scope;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class PolicyTest {
    private final AtomicLong nanos = new AtomicLong();
    private static final Capability ACME = new Capability("acme", "bot", "bot", List.of("*"), List.of("*"), Optional.empty(), "");
    private static final Capability OTHER = new Capability("other", "bot", "bot", List.of("*"), List.of("*"), Optional.empty(), "");
    private static final Op SCAN = Op.read("kv", "scan");

    private static Policy.Rule rule(String name, Policy.Effect effect, Policy.Match match, Policy.Bucket bucket, Map<String, Long> max) {
        return new Policy.Rule(name, effect, "", match, bucket, max);
    }

    private static Policy.Match ns(String... patterns) {
        return new Policy.Match(List.of(), List.of(), List.of(), List.of(patterns), List.of());
    }

    @Test
    void firstDecidingRuleWinsAndDefaultAppliesOtherwise() {
        var p = new Policy(true, List.of(
                rule("allow-notes", Policy.Effect.ALLOW, ns("notes"), null, Map.of()),
                rule("deny-all-kv", Policy.Effect.DENY, ns("*"), null, Map.of())), nanos::get);
        assertThat(p.decide(ACME, SCAN, Scope.of("kv", "notes")).allowed()).isTrue();
        var denied = p.decide(ACME, SCAN, Scope.of("kv", "other"));
        assertThat(denied.allowed()).isFalse();
        assertThat(denied.exhausted()).isFalse();
        assertThat(denied.reason()).isEqualTo("denied by deny-all-kv");
        assertThat(new Policy(true, List.of(), nanos::get).decide(ACME, SCAN, Scope.of("kv", "x")).reason()).isEqualTo("default deny");
    }

    @Test
    void matchOnBareVerbOrFullOp() {
        var byVerb = new Policy.Match(List.of(), List.of(), List.of(), List.of(), List.of("scan"));
        var p = new Policy(false, List.of(rule("no-scan", Policy.Effect.DENY, byVerb, null, Map.of())), nanos::get);
        assertThat(p.decide(ACME, SCAN, Scope.of("kv", "x")).allowed()).isFalse();
        assertThat(p.decide(ACME, Op.read("kv", "get"), Scope.of("kv", "x")).allowed()).isTrue();
    }

    @Test
    void capRejectsOversizedRequestsAsExhausted() {
        var p = new Policy(false, List.of(rule("cap", Policy.Effect.CAP, Policy.Match.ANY, null, Map.of("limit", 100L))), nanos::get);
        var over = p.decide(ACME, SCAN, Scope.of("kv", "x").withSize("limit", 101));
        assertThat(over.allowed()).isFalse();
        assertThat(over.exhausted()).isTrue();
        assertThat(over.reason()).isEqualTo("limit 101 exceeds cap 100 (rule cap)");
        assertThat(p.decide(ACME, SCAN, Scope.of("kv", "x").withSize("limit", 100)).allowed()).isTrue();
        assertThat(p.decide(ACME, Op.read("kv", "get"), Scope.of("kv", "x")).allowed()).isTrue();
    }

    @Test
    void rateLimitRefillsOverTimeAndIsKeyedPerTenant() {
        var bucket = new Policy.Bucket(true, false, false, false, 2.0, 2);
        var p = new Policy(false, List.of(rule("rl", Policy.Effect.RATE_LIMIT, Policy.Match.ANY, bucket, Map.of())), nanos::get);
        Scope s = Scope.of("kv", "x");
        assertThat(p.decide(ACME, SCAN, s).allowed()).isTrue();
        assertThat(p.decide(ACME, SCAN, s).allowed()).isTrue();
        var limited = p.decide(ACME, SCAN, s);
        assertThat(limited.allowed()).isFalse();
        assertThat(limited.exhausted()).isTrue();
        assertThat(p.decide(OTHER, SCAN, s).allowed()).as("another tenant has its own bucket").isTrue();
        nanos.addAndGet(500_000_000L); // half a second at 2/s = one token
        assertThat(p.decide(ACME, SCAN, s).allowed()).isTrue();
        assertThat(p.decide(ACME, SCAN, s).allowed()).isFalse();
    }

    @Test
    void rateLimitTakesATokenAndLaterRulesStillApply() {
        var bucket = new Policy.Bucket(false, false, false, false, 1.0, 10);
        var p = new Policy(false, List.of(
                rule("rl", Policy.Effect.RATE_LIMIT, Policy.Match.ANY, bucket, Map.of()),
                rule("deny-secret", Policy.Effect.DENY, ns("secret-*"), null, Map.of())), nanos::get);
        assertThat(p.decide(ACME, SCAN, Scope.of("kv", "secret-x")).allowed()).isFalse();
        assertThat(p.decide(ACME, SCAN, Scope.of("kv", "public")).allowed()).isTrue();
    }
}
