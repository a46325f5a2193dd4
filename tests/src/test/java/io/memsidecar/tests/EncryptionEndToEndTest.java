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
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.HexFormat;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encryption at rest on PostgreSQL: what the database holds is not the plaintext, and a moved value does not decrypt. */
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
}
