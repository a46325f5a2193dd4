package io.memsidecar.server.auth;

import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.memsidecar.server.config.MemsidecarConfig;
import java.security.Principal;
import java.util.List;
import java.util.Optional;

/**
 * Helidon TLS from the PEM files of {@code server.grpc.tls}: TLS 1.3 only; ALPN offers h2 and
 * http/1.1 (Helidon's HTTP/2 and HTTP/1.1 protocols on the listener); with a client CA, client
 * certificates are required or verified when presented.
 */
public final class TlsMaterial {
    private TlsMaterial() {
    }

    /** Reads the files now; IllegalArgumentException naming the problem when they do not make a TLS setup. */
    public static Tls load(MemsidecarConfig.TlsFiles files) {
        try {
            Keys keys = Keys.builder().pem(p -> p.key(Resource.create(files.keyFile()))
                    .certChain(Resource.create(files.certFile()))).build();
            if (keys.privateKey().isEmpty() || keys.certChain().isEmpty()) {
                throw new IllegalArgumentException("no private key or certificate in " + files.keyFile() + " / " + files.certFile());
            }
            var tls = Tls.builder().privateKey(keys.privateKey().get()).privateKeyCertChain(keys.certChain())
                    .enabledProtocols(List.of("TLSv1.3"));
            files.clientCaFile().ifPresent(ca -> {
                var trust = Keys.builder().pem(p -> p.certificates(Resource.create(ca))).build().certs();
                if (trust.isEmpty()) {
                    throw new IllegalArgumentException("no certificate in " + ca);
                }
                tls.trust(trust).clientAuth(files.requireClientCert() ? TlsClientAuth.REQUIRED : TlsClientAuth.OPTIONAL);
            });
            return tls.build();
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("server.grpc.tls: " + e.getMessage(), e);
        }
    }

    /** The subject of the certificate a client presented (RFC 2253, e.g. {@code CN=agent}), if it did. */
    public static Optional<String> clientSubject(PeerInfo peer) {
        return peer.tlsPrincipal().map(Principal::getName);
    }
}
