package io.memsidecar.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CapabilityTest {
    private static Capability cap(List<String> namespaces, List<String> ops) {
        return new Capability("t", "a", "a", namespaces, ops, Optional.empty(), "");
    }

    @Test
    void namespacePatternsAreStarExactOrTrailingPrefix() {
        var c = cap(List.of("kv/tool-*", "episodic/events"), List.of("*"));
        assertThat(c.permitsNamespace("kv", "tool-cache")).isTrue();
        assertThat(c.permitsNamespace("kv", "tool-")).isTrue();
        assertThat(c.permitsNamespace("kv", "tools")).isFalse();
        assertThat(c.permitsNamespace("episodic", "events")).isTrue();
        assertThat(c.permitsNamespace("episodic", "events2")).isFalse();
        assertThat(c.permitsNamespace("semantic", "tool-cache")).isFalse();
        assertThat(cap(List.of("*"), List.of()).permitsNamespace("graph", "x")).isTrue();
    }

    @Test
    void opsAreStarFullOrBareVerbButBareVerbsNeverGrantAdmin() {
        var c = cap(List.of("*"), List.of("get", "lease.inspect", "inspect"));
        assertThat(c.permitsOp(Op.read("kv", "get"))).isTrue();
        assertThat(c.permitsOp(Op.write("kv", "put"))).isFalse();
        assertThat(c.permitsOp(Op.read("lease", "inspect"))).isTrue();
        assertThat(c.permitsOp(Op.read("admin", "inspect"))).isFalse();
        assertThat(cap(List.of("*"), List.of("admin.inspect")).permitsOp(Op.read("admin", "inspect"))).isTrue();
        assertThat(cap(List.of("*"), List.of("*")).permitsOp(Op.read("admin", "inspect"))).isTrue();
    }

    @Test
    void adminOpsAreNotScopedToANamespace() {
        cap(List.of("kv/a"), List.of("admin.inspect")).check(Op.read("admin", "inspect"), "");
        assertThatThrownBy(() -> cap(List.of("*"), List.of("kv.get")).check(Op.read("admin", "inspect"), ""))
                .hasMessage("op admin.inspect not in capability scope");
    }

    @Test
    void checkNamesWhatIsMissing() {
        var c = cap(List.of("kv/a"), List.of("kv.get"));
        assertThatThrownBy(() -> c.check(Op.write("kv", "put"), "a")).hasMessage("op kv.put not in capability scope");
        assertThatThrownBy(() -> c.check(Op.read("kv", "get"), "b")).hasMessage("namespace kv/b not in capability scope");
    }
}
