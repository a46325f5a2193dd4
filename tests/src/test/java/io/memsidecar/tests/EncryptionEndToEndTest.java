package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.driver.postgres.TestDatabase;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Encryption at rest: what PostgreSQL and the artifact directory hold is not the plaintext, a moved
 * value does not decrypt, and clients see plaintext sizes, checksums and ranges.
 */
class EncryptionEndToEndTest {
    @TempDir
    Path dir;

    @Test
    void valuesAndPayloadsAreSealedInTheDatabase() throws Exception {
        String suffix = UUID.randomUUID().toString().substring(0, 8);
        Path key = dir.resolve("k1.key");
        Files.writeString(key, HexFormat.of().formatHex(new byte[32]).replace('0', '7'));
        try (var server = new TestServer("""
                encryption:
                  keys: [ { id: k1, secret_file: "%s" } ]
                backends:
                  - { name: pg, driver: postgres, options: { dsn: "%s" } }
                namespaces:
                  - { block: kv, name: vault-%s, backend: pg, encrypt: true }
                  - { block: episodic, name: diary-%s, backend: pg, encrypt: true }
                """.formatted(key, TestDatabase.url(), suffix, suffix), "");
             var db = DriverManager.getConnection(TestDatabase.url())) {
            ManagedChannel ch = server.tcpChannel();
            try {
                var kv = TestServer.kv(ch, server.fullToken());
                String ns = "vault-" + suffix;
                kv.put(PutRequest.newBuilder().setNamespace(ns).setKey("a").setValue(ByteString.copyFromUtf8("top secret")).build());
                kv.put(PutRequest.newBuilder().setNamespace(ns).setKey("b").setValue(ByteString.copyFromUtf8("harmless")).build());
                assertThat(kv.get(GetRequest.newBuilder().setNamespace(ns).setKey("a").build()).getValue().toStringUtf8())
                        .isEqualTo("top secret");
                try (var st = db.prepareStatement("SELECT value FROM kv_items WHERE namespace = ? AND key = 'a'")) {
                    st.setString(1, ns);
                    var rs = st.executeQuery();
                    rs.next();
                    byte[] stored = rs.getBytes(1);
                    assertThat(stored[0]).isEqualTo((byte) 1);
                    assertThat(new String(stored, StandardCharsets.ISO_8859_1)).doesNotContain("top secret");
                }
                // copy a's ciphertext onto b: bound to key a, it does not open as b
                try (var st = db.prepareStatement("UPDATE kv_items SET value = (SELECT value FROM kv_items WHERE namespace = ?"
                        + " AND key = 'a') WHERE namespace = ? AND key = 'b'")) {
                    st.setString(1, ns);
                    st.setString(2, ns);
                    assertThat(st.executeUpdate()).isEqualTo(1);
                }
                assertThatThrownBy(() -> kv.get(GetRequest.newBuilder().setNamespace(ns).setKey("b").build()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DATA_LOSS));

                var log = EpisodicEndToEndTest.stub(ch, server.fullToken());
                String diary = "diary-" + suffix;
                log.append(AppendRequest.newBuilder().setNamespace(diary).setType("note")
                        .setPayload(ByteString.copyFromUtf8("dear diary")).build());
                var events = log.range(RangeRequest.newBuilder().setNamespace(diary).build());
                assertThat(events.next().getPayload().toStringUtf8()).isEqualTo("dear diary");
                try (var st = db.prepareStatement("SELECT payload FROM episodic_events WHERE namespace = ?")) {
                    st.setString(1, diary);
                    var rs = st.executeQuery();
                    rs.next();
                    assertThat(new String(rs.getBytes(1), StandardCharsets.ISO_8859_1)).doesNotContain("dear diary");
                }
            } finally {
                ch.shutdownNow();
            }
        }
    }

    @Test
    void artifactBodiesAreSealedOnDiskAndServedAsPlaintextWithRanges() throws Exception {
        Path key = dir.resolve("k1.key");
        Files.writeString(key, HexFormat.of().formatHex(new byte[32]).replace('0', '5'));
        Path blobs = dir.resolve("blobs");
        String marker = "the quarterly numbers nobody may read ";
        byte[] body = marker.repeat(10_000).getBytes(StandardCharsets.UTF_8); // 380 KB, six 64 KiB segments
        try (var server = new TestServer("""
                encryption:
                  keys: [ { id: k1, secret_file: "%s" } ]
                backends:
                  - { name: disk, driver: fs, options: { base_dir: "%s" } }
                namespaces:
                  - { block: artifact, name: vault, backend: disk, encrypt: true }
                """.formatted(key, blobs), "")) {
            var http = HttpClient.newHttpClient();
            String url = "http://127.0.0.1:" + server.port() + "/v1/artifacts/vault/report.txt";
            String auth = "Bearer " + server.fullToken();
            var put = http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth)
                    .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(put.statusCode()).as(put.body()).isBetween(200, 201);
            String sha = HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(body));

            var get = http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertThat(get.statusCode()).isEqualTo(200);
            assertThat(get.body()).isEqualTo(body);
            assertThat(get.headers().firstValue("etag").orElseThrow()).contains(sha);
            var range = http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth)
                    .header("Range", "bytes=131000-132099").build(), HttpResponse.BodyHandlers.ofByteArray());
            assertThat(range.statusCode()).isEqualTo(206);
            assertThat(range.body()).isEqualTo(java.util.Arrays.copyOfRange(body, 131_000, 132_100));
            var past = http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth)
                    .header("Range", "bytes=" + (body.length + 1) + "-").build(), HttpResponse.BodyHandlers.ofString());
            assertThat(past.statusCode()).isEqualTo(400); // OUT_OF_RANGE
            assertThat(past.body()).contains("past the end");
            var head = http.send(HttpRequest.newBuilder(URI.create(url)).header("x-memsidecar-capability", auth)
                    .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
            assertThat(head.headers().firstValueAsLong("content-length").orElseThrow()).isEqualTo(body.length);

            // what the directory holds: ciphertext, a little larger than the body, and no trace of it
            try (var files = Files.walk(blobs)) {
                var stored = files.filter(Files::isRegularFile).toList();
                assertThat(stored).isNotEmpty();
                for (Path f : stored) {
                    assertThat(Files.readString(f, StandardCharsets.ISO_8859_1)).as(f.toString()).doesNotContain("quarterly numbers");
                }
                assertThat(stored).anySatisfy(f -> assertThat(Files.size(f)).isBetween((long) body.length + 5, body.length + 200L));
            }
        }
    }
}
