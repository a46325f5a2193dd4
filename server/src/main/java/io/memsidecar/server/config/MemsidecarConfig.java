package io.memsidecar.server.config;

import io.memsidecar.server.auth.JwtTokens;
import io.memsidecar.server.auth.PasetoTokens;
import io.memsidecar.server.auth.TokenVerifier;
import io.memsidecar.server.encryption.Keyring;
import io.memsidecar.server.policy.Policy;
import io.memsidecar.tokens.Ed25519Keys;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The validated configuration (spec §3), read once at start. */
public record MemsidecarConfig(Listeners server,
                               Auth auth,
                               Policy policy,
                               boolean tenantIsolation,
                               List<BackendConfig> backends,
                               List<NamespaceConfig> namespaces,
                               String logLevel,
                               boolean accessLog,
                               double accessSample,
                               Path dataDir,
                               io.memsidecar.server.observe.TelemetryConfig telemetry,
                               io.memsidecar.core.Limits limits,
                               Optional<Keyring> encryption) {

    /**
     * gRPC TCP (host:port), optional UDS and extra HTTP listener; {@code nettyTcp}: gRPC on TCP
     * through grpc-java's Netty transport ({@code server.grpc.transport: netty} or {@code auto}),
     * else through Helidon's ({@code helidon}). {@code requestTimeout}: a unary call's deadline when the
     * caller sets none; {@code tailReconnectMax}: how long a tail or lease waiter rides out a backend outage.
     */
    public record Listeners(String grpcTcp, Optional<Path> grpcUds, Optional<String> httpAddr, Duration shutdownTimeout,
                            Optional<TlsFiles> tls, boolean nettyTcp, Duration requestTimeout, Duration tailReconnectMax) {
        /** The gRPC TCP port serves HTTP too: always on Helidon, on grpc-netty when HTTP has no port of its own. */
        public boolean sharedPort() {
            return !nettyTcp || httpAddr.isEmpty();
        }
    }

    /**
     * {@code server.grpc.tls}: PEM certificate chain and private key; with a client CA, mTLS —
     * {@code requireClientCert} true requires a client certificate, false verifies one if presented.
     */
    public record TlsFiles(Path certFile, Path keyFile, Optional<Path> clientCaFile, boolean requireClientCert) {
        public List<Path> files() {
            var out = new java.util.ArrayList<>(List.of(certFile, keyFile));
            clientCaFile.ifPresent(out::add);
            return out;
        }

        /** "tls" or "mtls", as the start-up log names a listener's security. */
        public String security() {
            return clientCaFile.isPresent() ? "mtls" : "tls";
        }
    }

    /**
     * Trusted PASETO public keys (hex, rotation order) and an optional dev signing key; or, with
     * {@code auth.verifier: jwt}, the JWT settings.
     */
    public record Auth(List<String> publicKeyHexes, Optional<String> privateKeyHex, Optional<Jwt> jwt) {
        public Auth(List<String> publicKeyHexes, Optional<String> privateKeyHex) {
            this(publicKeyHexes, privateKeyHex, Optional.empty());
        }

        /** The verifier these settings describe. */
    public     TokenVerifier verifier() {
            return jwt.map(Jwt::verifier).orElseGet(() -> new PasetoTokens.Verifier(
                    publicKeyHexes.stream().map(Ed25519Keys::publicKey).toList()));
        }
    }

    /** {@code auth.jwt}: HS256 with a secret (from {@code secret_env}), or RS256/ES256 with PEM public keys. */
    public record Jwt(String alg, Optional<byte[]> secret, List<String> publicPems) {
    public     TokenVerifier verifier() {
            return alg.equals("HS256") ? JwtTokens.hs256(secret.orElseThrow()) : JwtTokens.publicKeys(alg, publicPems);
        }
    }

    public record BackendConfig(String name, String driver, Map<String, String> options) {
    }

    /**
     * {@code maxItems}: kv quota; {@code maxSize}: artifact bytes per artifact (0 = none);
     * {@code encrypt}: kv and episodic values sealed with the {@code encryption} keyring;
     * {@code retention}: episodic only; {@code semantic}: semantic only.
     */
    public record NamespaceConfig(String block, String name, String backend, long maxItems, long maxSize, boolean encrypt,
                                  Optional<io.memsidecar.episodic.Retention> retention,
                                  Optional<Semantic> semantic,
                                  Optional<io.memsidecar.kv.spi.KvAccess> access) {
    }

    /** A semantic namespace's embedder and index layout. */
    public record Semantic(Embedder embedder, io.memsidecar.semantic.spi.IndexSpec index) {
    }

    /** {@code embedder}: provider, model, dimensions, provider options, cache size (0 = default, < 0 = off). */
    public record Embedder(String provider, String model, int dimensions, Map<String, String> options, int cacheSize) {
    }

    public MemsidecarConfig withNamespaces(List<NamespaceConfig> newNamespaces) {
        return withStores(backends, newNamespaces);
    }

    /** The same configuration with other backends and namespaces. */
    public MemsidecarConfig withStores(List<BackendConfig> newBackends, List<NamespaceConfig> newNamespaces) {
        return new MemsidecarConfig(server, auth, policy, tenantIsolation, newBackends, newNamespaces, logLevel, accessLog,
                accessSample, dataDir, telemetry, limits, encryption);
    }

    public MemsidecarConfig withAuth(Auth newAuth) {
        return new MemsidecarConfig(server, newAuth, policy, tenantIsolation, backends, namespaces, logLevel, accessLog,
                accessSample, dataDir, telemetry, limits, encryption);
    }
}
