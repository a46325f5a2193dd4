package io.memsidecar.core;

import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * A verified capability token: who calls (tenant, agent) and what it may touch (namespace
 * patterns {@code block/name}, ops). Patterns are {@code *}, an exact name, or a prefix with
 * one trailing {@code *}.
 *
 * <p>Ops are {@code *}, a full op ({@code kv.get}) or a bare verb ({@code get}). Unlike the
 * original, a bare verb never grants an {@code admin} op: {@code inspect} minted for leases
 * does not open {@code admin.inspect} (spec §4, "known weakness").
 */
public record Capability(String tenant,
                         String agent,
                         String subject,
                         List<String> namespaces,
                         List<String> ops,
                         Optional<Instant> expiresAt,
                         String tokenId) {
    public Capability {
        namespaces = List.copyOf(namespaces);
        ops = List.copyOf(ops);
    }

    public boolean permitsNamespace(String block, String namespace) {
        String wanted = block + "/" + namespace;
        for (String pattern : namespaces) {
            if (Patterns.matches(pattern, wanted)) {
                return true;
            }
        }
        return false;
    }

    public boolean permitsOp(Op op) {
        for (String granted : ops) {
            if (granted.equals("*") || granted.equals(op.name())) {
                return true;
            }
            if (granted.indexOf('.') < 0 && granted.equals(op.verb()) && !op.block().equals("admin")) {
                return true;
            }
        }
        return false;
    }

    /**
     * Throws PERMISSION_DENIED unless both the namespace and the op are in scope. Admin ops are
     * not about a namespace: only the op is checked (spec §2.8).
     */
    public void check(Op op, String namespace) {
        check(op, op.block(), namespace);
    }

    /**
     * The same for an op that reads another block's namespace: recall.query names a
     * {@code semantic/} namespace.
     */
    public void check(Op op, String block, String namespace) {
        if (!permitsOp(op)) {
            throw ApiException.permissionDenied("op " + op.name() + " not in capability scope");
        }
        if (!op.block().equals("admin") && !permitsNamespace(block, namespace)) {
            throw ApiException.permissionDenied(
                    "namespace " + block + "/" + namespace + " not in capability scope");
        }
    }
}
