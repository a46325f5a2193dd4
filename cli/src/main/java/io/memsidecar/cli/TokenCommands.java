package io.memsidecar.cli;

import io.memsidecar.core.GoDuration;
import io.memsidecar.tokens.CapabilityTokens;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "token", description = "Capability tokens: issue, gen-keypair.",
        subcommands = {TokenCommands.Issue.class, TokenCommands.GenKeypair.class})
final class TokenCommands {
    @Command(name = "gen-keypair", description = "Print a new Ed25519 key pair (secret and public, hex).")
    static final class GenKeypair implements Runnable {
        @Override
        public void run() {
            String[] pair = Ed25519Keys.generateHex();
            System.out.println("secret_key_hex: " + pair[0]);
            System.out.println("public_key_hex: " + pair[1]);
        }
    }

    @Command(name = "issue", description = "Mint a capability token: PASETO v4.public (default) or an HS256 JWT.",
            footer = {"%nExample:", "  memctl token issue --tenant acme --agent planner --ns 'kv/*,episodic/events' --ops '*' --ttl 24h"})
    static final class Issue implements Callable<Integer> {
        @Option(names = "--format", defaultValue = "paseto", description = "paseto (default) or jwt (HS256).")
        String format;
        @Option(names = "--secret-key-hex", defaultValue = "${env:MEMSIDECAR_PASETO_SECRET_HEX}",
                description = "PASETO signing key (hex); default $MEMSIDECAR_PASETO_SECRET_HEX.")
        String secret;
        @Option(names = "--jwt-secret", defaultValue = "${env:MEMSIDECAR_JWT_SECRET}",
                description = "JWT HS256 secret (at least 32 bytes); default $MEMSIDECAR_JWT_SECRET.")
        String jwtSecret;
        @Option(names = "--tenant", required = true)
        String tenant;
        @Option(names = "--agent", defaultValue = "")
        String agent;
        @Option(names = "--ns", required = true, split = ",", description = "block/name patterns, e.g. kv/*,episodic/events")
        List<String> namespaces;
        @Option(names = "--ops", split = ",", defaultValue = "get,put,delete,scan",
                description = "Ops: * , block.verb, or a bare verb (never matches admin ops).")
        List<String> ops;
        @Option(names = "--ttl", defaultValue = "1h", description = "Go duration, e.g. 30m, 24h.")
        String ttl;
        @Option(names = "--jti", defaultValue = "")
        String jti;

        @Override
        public Integer call() {
            var grant = new CapabilityTokens.Grant(tenant, agent, namespaces, ops, GoDuration.parse(ttl), jti);
            switch (format) {
                case "jwt" -> {
                    if (jwtSecret == null || jwtSecret.isBlank()) {
                        throw new IllegalArgumentException("--jwt-secret (or MEMSIDECAR_JWT_SECRET) is required for --format jwt");
                    }
                    System.out.println(CapabilityTokens.jwtHs256(jwtSecret.getBytes(StandardCharsets.UTF_8), grant, Instant.now()));
                }
                case "paseto" -> {
                    if (secret == null || secret.isBlank()) {
                        throw new IllegalArgumentException("--secret-key-hex (or MEMSIDECAR_PASETO_SECRET_HEX) is required");
                    }
                    System.out.println(CapabilityTokens.paseto(Ed25519Keys.privateKey(secret), grant, Instant.now()));
                }
                default -> throw new IllegalArgumentException("--format must be paseto or jwt");
            }
            return Memctl.OK;
        }
    }
}
