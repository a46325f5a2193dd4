package io.memsidecar.server.auth;

import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslProvider;
import io.helidon.common.configurable.Resource;
import io.helidon.common.pki.Keys;
import io.helidon.common.socket.PeerInfo;
import io.helidon.common.tls.Tls;
import io.helidon.common.tls.TlsClientAuth;
import io.memsidecar.server.config.MemsidecarConfig;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS from the PEM files of {@code server.grpc.tls}: TLS 1.3 only; with a client CA, client
 * certificates are required or verified when presented. Two forms of the same files: Helidon's
 * {@link Tls} (its listeners; ALPN h2 and http/1.1) and, for gRPC on grpc-java's Netty transport,
 * a {@link NettyTls} whose key and trust are swapped in place on reload.
 */
public final class TlsMaterial {
    private TlsMaterial() {
    }

    private record Material(PrivateKey key, List<X509Certificate> chain, List<X509Certificate> trust) {
    }

    /** Reads the files; IllegalArgumentException naming the problem when they do not make a TLS setup. */
    private static Material read(MemsidecarConfig.TlsFiles files) {
        try {
            Keys keys = Keys.builder().pem(p -> p.key(Resource.create(files.keyFile()))
                    .certChain(Resource.create(files.certFile()))).build();
            if (keys.privateKey().isEmpty() || keys.certChain().isEmpty()) {
                throw new IllegalArgumentException("no private key or certificate in " + files.keyFile() + " / " + files.certFile());
            }
            List<X509Certificate> trust = files.clientCaFile().map(ca -> {
                var certs = Keys.builder().pem(p -> p.certificates(Resource.create(ca))).build().certs();
                if (certs.isEmpty()) {
                    throw new IllegalArgumentException("no certificate in " + ca);
                }
                return certs;
            }).orElse(List.of());
            return new Material(keys.privateKey().get(), keys.certChain(), trust);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("server.grpc.tls: " + e.getMessage(), e);
        }
    }

    /** Helidon TLS, read now. */
    public static Tls load(MemsidecarConfig.TlsFiles files) {
        Material m = read(files);
        var tls = Tls.builder().privateKey(m.key()).privateKeyCertChain(m.chain()).enabledProtocols(List.of("TLSv1.3"));
        if (!m.trust().isEmpty()) {
            tls.trust(m.trust()).clientAuth(files.requireClientCert() ? TlsClientAuth.REQUIRED : TlsClientAuth.OPTIONAL);
        }
        return tls.build();
    }

    /** The subject of the certificate a client presented (RFC 2253, e.g. {@code CN=agent}), if it did. */
    public static Optional<String> clientSubject(PeerInfo peer) {
        return peer.tlsPrincipal().map(Principal::getName);
    }

    /** The same from a TLS session (grpc-java's transport attribute), if the client presented one. */
    public static Optional<String> clientSubject(SSLSession session) {
        try {
            return Optional.of(session.getPeerPrincipal().getName());
        } catch (SSLPeerUnverifiedException e) {
            return Optional.empty();
        }
    }

    /** gRPC-on-Netty TLS from the files, read now. */
    public static NettyTls netty(MemsidecarConfig.TlsFiles files) {
        return new NettyTls(files);
    }

    /**
     * A grpc-netty server {@link SslContext} (TLS 1.3, ALPN h2, the JDK's TLS) over a key manager
     * and a trust manager that delegate to the files' current contents: {@link #reload} swaps them,
     * so new handshakes get the new certificate while open connections keep theirs.
     */
    public static final class NettyTls {
        private final Swappable swappable = new Swappable();
        private final SslContext context;

        private NettyTls(MemsidecarConfig.TlsFiles files) {
            reload(files);
            var builder = SslContextBuilder.forServer(swappable.keys).protocols("TLSv1.3")
                    .clientAuth(files.clientCaFile().isEmpty() ? ClientAuth.NONE
                            : files.requireClientCert() ? ClientAuth.REQUIRE : ClientAuth.OPTIONAL);
            if (files.clientCaFile().isPresent()) {
                builder.trustManager(swappable.trust);
            }
            try {
                this.context = GrpcSslContexts.configure(builder, SslProvider.JDK).build();
            } catch (SSLException e) {
                throw new IllegalArgumentException("server.grpc.tls: " + e.getMessage(), e);
            }
        }

        public SslContext context() {
            return context;
        }

        /** Reads the files again and swaps them in; IllegalArgumentException (and nothing swapped) when they do not load. */
        public void reload(MemsidecarConfig.TlsFiles files) {
            Material m = read(files);
            try {
                var keys = KeyStore.getInstance("PKCS12");
                keys.load(null, null);
                keys.setKeyEntry("server", m.key(), new char[0], m.chain().toArray(Certificate[]::new));
                var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(keys, new char[0]);
                X509ExtendedTrustManager trust = null;
                if (!m.trust().isEmpty()) {
                    var cas = KeyStore.getInstance("PKCS12");
                    cas.load(null, null);
                    for (int i = 0; i < m.trust().size(); i++) {
                        cas.setCertificateEntry("ca" + i, m.trust().get(i));
                    }
                    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                    tmf.init(cas);
                    trust = (X509ExtendedTrustManager) tmf.getTrustManagers()[0];
                }
                swappable.keys.current = (X509ExtendedKeyManager) kmf.getKeyManagers()[0];
                swappable.trust.current = trust;
            } catch (GeneralSecurityException | java.io.IOException e) {
                throw new IllegalArgumentException("server.grpc.tls: " + e.getMessage(), e);
            }
        }
    }

    private static final class Swappable {
        final SwappingKeys keys = new SwappingKeys();
        final SwappingTrust trust = new SwappingTrust();

        static final class SwappingKeys extends X509ExtendedKeyManager {
            volatile X509ExtendedKeyManager current;

            @Override
            public String[] getClientAliases(String keyType, Principal[] issuers) {
                return current.getClientAliases(keyType, issuers);
            }

            @Override
            public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
                return current.chooseClientAlias(keyType, issuers, socket);
            }

            @Override
            public String[] getServerAliases(String keyType, Principal[] issuers) {
                return current.getServerAliases(keyType, issuers);
            }

            @Override
            public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
                return current.chooseServerAlias(keyType, issuers, socket);
            }

            @Override
            public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
                return current.chooseEngineServerAlias(keyType, issuers, engine);
            }

            @Override
            public X509Certificate[] getCertificateChain(String alias) {
                return current.getCertificateChain(alias);
            }

            @Override
            public PrivateKey getPrivateKey(String alias) {
                return current.getPrivateKey(alias);
            }
        }

        static final class SwappingTrust extends X509ExtendedTrustManager {
            volatile X509ExtendedTrustManager current;

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                current.checkClientTrusted(chain, authType, socket);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                current.checkClientTrusted(chain, authType, engine);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                current.checkClientTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("a server does not check servers");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("a server does not check servers");
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a server does not check servers");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return current.getAcceptedIssuers();
            }
        }
    }
}
