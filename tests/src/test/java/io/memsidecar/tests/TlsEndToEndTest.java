package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ApplicationProtocolConfig;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.server.MemsidecarServer;
import io.memsidecar.server.config.ConfigLoader;
import io.memsidecar.tokens.Ed25519Keys;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** TLS 1.3 and mTLS on the TCP listener, with a CA and certificates made by openssl for this run. */
class TlsEndToEndTest {
    @TempDir
    Path dir;

    private void openssl(String... args) throws Exception {
        var command = new java.util.ArrayList<>(List.of("openssl"));
        command.addAll(List.of(args));
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    private void ca(String name) throws Exception {
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".pem", "-days", "2", "-subj", "/CN=" + name);
    }

    private void signed(String name, String ca, String san) throws Exception {
        openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", name + ".key",
                "-out", name + ".csr", "-subj", "/CN=" + name, "-addext", "subjectAltName=" + san);
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key", "-CAcreateserial",
                "-out", name + ".pem", "-days", "2", "-copy_extensions", "copy");
    }

    private ManagedChannel channel(int port, String trust, String client, String... alpn) throws Exception {
        var ssl = GrpcSslContexts.forClient().trustManager(dir.resolve(trust + ".pem").toFile());
        if (client != null) {
            ssl.keyManager(dir.resolve(client + ".pem").toFile(), dir.resolve(client + ".key").toFile());
        }
        if (alpn.length > 0) {
            ssl.applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                    ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                    ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, alpn));
        }
        return NettyChannelBuilder.forAddress("127.0.0.1", port).sslContext(ssl.build()).build();
    }

    private static void assertRefused(ManagedChannel ch, String token) {
        try {
            assertThatThrownBy(() -> TestServer.kv(ch, token).withDeadlineAfter(10, TimeUnit.SECONDS)
                    .get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()))
                    .isInstanceOfSatisfying(StatusRuntimeException.class,
                            e -> assertThat(e.getStatus().getCode()).isIn(Status.Code.UNAVAILABLE, Status.Code.INTERNAL));
        } finally {
            ch.shutdownNow();
        }
    }

    /** An mTLS client context: trusts ca.pem, presents agent.pem. */
    private SSLContext clientContext() throws Exception {
        var cf = CertificateFactory.getInstance("X.509");
        var trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", cf.generateCertificate(Files.newInputStream(dir.resolve("ca.pem"))));
        var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        String pem = Files.readString(dir.resolve("agent.key")).replaceAll("-----(BEGIN|END) PRIVATE KEY-----", "").strip();
        var key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(Base64.getMimeDecoder().decode(pem)));
        var keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("agent", key, new char[0], new java.security.cert.Certificate[] {
                cf.generateCertificate(new ByteArrayInputStream(Files.readAllBytes(dir.resolve("agent.pem"))))});
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        var context = SSLContext.getInstance("TLSv1.3");
        context.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        return context;
    }

    /** The serial of the certificate a fresh mTLS handshake offering {@code alpn} is shown. */
    private BigInteger servedSerial(int port, String... alpn) throws Exception {
        try (var socket = (SSLSocket) clientContext().getSocketFactory().createSocket("127.0.0.1", port)) {
            var params = socket.getSSLParameters();
            params.setApplicationProtocols(alpn);
            socket.setSSLParameters(params);
            socket.startHandshake();
            assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
            return ((X509Certificate) socket.getSession().getPeerCertificates()[0]).getSerialNumber();
        }
    }

    /**
     * On every layout: Helidon's transport ({@code helidon}), grpc-netty with HTTP on server.http.addr
     * ({@code netty}), and grpc-netty sharing its port with HTTP ({@code shared}: gRPC clients, which
     * offer only h2 in ALPN, on grpc-netty; the rest relayed still encrypted to Helidon).
     */
    @ParameterizedTest
    @ValueSource(strings = {"helidon", "netty", "shared"})
    void mtlsRefusesPlaintextStrangersAndCertlessClientsAndRotatesInPlace(String layout) throws Exception {
        ca("ca");
        ca("other-ca");
        signed("server", "ca", "IP:127.0.0.1,DNS:localhost");
        signed("server2", "ca", "IP:127.0.0.1,DNS:localhost");
        signed("agent", "ca", "DNS:agent");
        String[] keys = Ed25519Keys.generateHex();
        Path config = dir.resolve("tls.yaml");
        Files.writeString(config, """
                server:
                  grpc:
                    tcp: "127.0.0.1:0"
                    transport: %s
                    tls: { cert_file: "%s", key_file: "%s", client_ca_file: "%s", require_client_cert: true }
                %s
                auth: { paseto: { public_key_hexes: ["%s"] } }
                backends: [ { name: mem, driver: memory } ]
                namespaces: [ { block: kv, name: notes, backend: mem } ]
                """.formatted(layout.equals("shared") ? "auto" : layout, dir.resolve("server.pem"), dir.resolve("server.key"), dir.resolve("ca.pem"),
                layout.equals("shared") ? "" : "  http: { addr: \"127.0.0.1:0\" }", keys[1]));
        String token = TestServer.token(keys[0], List.of("*"), List.of("*"), Duration.ofMinutes(10), Instant.now());
        var access = new AccessLines();
        io.memsidecar.server.observe.AccessLog.global().redirect(access);
        try (var server = MemsidecarServer.start(ConfigLoader.load(Optional.of(config), Map.of()))) {
            int port = server.port();
            ManagedChannel open = channel(port, "ca", "agent");
            try {
                var kv = TestServer.kv(open, token);
                kv.put(PutRequest.newBuilder().setNamespace("notes").setKey("k").setValue(ByteString.copyFromUtf8("v")).build());
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()).getFound()).isTrue();
                access.await("\"transport\":\"grpc\"", "\"client_cert\":\"CN=agent\"");

                assertRefused(NettyChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build(), token);
                assertRefused(channel(port, "other-ca", "agent"), token);
                assertRefused(channel(port, "ca", null), token);
                // a gRPC client that offers http/1.1 beside h2 (Go's net/http does) is served too
                ManagedChannel both = channel(port, "ca", "agent", "h2", "http/1.1");
                try {
                    assertThat(TestServer.kv(both, token).get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build())
                            .getFound()).isTrue();
                } finally {
                    both.shutdownNow();
                }

                // the curl routes on the same listener, over HTTPS with the client certificate
                try (var https = java.net.http.HttpClient.newBuilder().sslContext(clientContext()).build()) {
                    int httpPort = layout.equals("netty") ? server.httpPort().orElseThrow() : port;
                    var get = https.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("https://127.0.0.1:" + httpPort
                            + "/v1/kv/notes/k")).header("x-memsidecar-capability", "Bearer " + token).build(),
                            java.net.http.HttpResponse.BodyHandlers.ofString());
                    assertThat(get.statusCode()).isEqualTo(200);
                    assertThat(get.body()).isEqualTo("v");
                    access.await("\"transport\":\"curl\"", "\"client_cert\":\"CN=agent\"");
                }
                // and the packaged memctl
                var memctl = new ProcessBuilder(Path.of(System.getProperty("memsidecar.dist")).resolve("bin/memctl").toString(),
                        "kv", "get", "notes", "k", "--addr", "127.0.0.1:" + port, "--cacert", dir.resolve("ca.pem").toString(),
                        "--cert", dir.resolve("agent.pem").toString(), "--key", dir.resolve("agent.key").toString(),
                        "--token", token).redirectErrorStream(true).start();
                String printed = new String(memctl.getInputStream().readAllBytes()).strip();
                assertThat(memctl.waitFor(60, TimeUnit.SECONDS)).isTrue();
                assertThat(printed).isEqualTo("v");

                BigInteger before = servedSerial(port);
                assertThat(servedSerial(port, "h2")).isEqualTo(before);
                // cert-manager style: the key and the certificate are replaced in place
                Files.copy(dir.resolve("server2.key"), dir.resolve("server.key"), StandardCopyOption.REPLACE_EXISTING);
                Files.copy(dir.resolve("server2.pem"), dir.resolve("server.pem"), StandardCopyOption.REPLACE_EXISTING);
                BigInteger after = before;
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
                while (after.equals(before) && System.nanoTime() < deadline) {
                    Thread.sleep(200);
                    after = servedSerial(port);
                }
                assertThat(after).as("new connections get the rotated certificate").isNotEqualTo(before);
                assertThat(servedSerial(port, "h2")).as("gRPC's too").isEqualTo(after);
                assertThat(kv.get(GetRequest.newBuilder().setNamespace("notes").setKey("k").build()).getFound())
                        .as("the connection opened before the rotation goes on").isTrue();

                // a broken new file is logged and the running certificate stays
                Files.writeString(dir.resolve("server.pem"), "not a certificate\n");
                Thread.sleep(1500);
                assertThat(servedSerial(port)).isEqualTo(after);
                assertThat(servedSerial(port, "h2")).isEqualTo(after);
            } finally {
                open.shutdownNow();
            }
        } finally {
            io.memsidecar.server.observe.AccessLog.global().redirect(System.err);
        }
    }

    /** The access-log lines the server writes while the test runs. */
    /** The access log's lines, as the server writes them. */
    private static final class AccessLines extends java.io.OutputStream {
        private final List<String> lines = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.io.ByteArrayOutputStream pending = new java.io.ByteArrayOutputStream();

        @Override
        public synchronized void write(int b) {
            if (b == '\n') {
                lines.add(pending.toString(java.nio.charset.StandardCharsets.UTF_8));
                pending.reset();
            } else {
                pending.write(b);
            }
        }

        /** Waits (the log is written every 100 ms) for a line holding every one of {@code parts}. */
        void await(String... parts) throws InterruptedException {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
            while (lines.stream().noneMatch(l -> List.of(parts).stream().allMatch(l::contains))) {
                assertThat(System.nanoTime()).as("an access-log line with %s in %s", List.of(parts), lines).isLessThan(deadline);
                Thread.sleep(50);
            }
        }
    }
}
