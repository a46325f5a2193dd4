package io.memsidecar.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import io.memsidecar.proto.kv.v1.PutRequest;
import java.util.List;
import org.junit.jupiter.api.Test;

class AdminEndToEndTest {
    private static AdminGrpc.AdminBlockingStub admin(ManagedChannel ch, String token) {
        return AdminGrpc.newBlockingStub(CapabilityHeader.attach(ch, token));
    }

    @Test
    void listNamespacesNeedsAdminInspectButNoNamespaceScope() {
        try (var server = new TestServer(KvEndToEndTest.NAMESPACES + """
                  - { block: lease, name: locks, backend: mem }
                """, "")) {
            ManagedChannel ch = server.tcpChannel();
            try {
                TestServer.kv(ch, server.fullToken()).put(PutRequest.newBuilder().setNamespace("notes").setKey("a")
                        .setValue(ByteString.copyFromUtf8("1")).build());
                var all = admin(ch, server.token(List.of("kv/nothing-matches"), List.of("admin.inspect")))
                        .listNamespaces(ListNamespacesRequest.getDefaultInstance());
                assertThat(all.getServer().getVersion()).isNotEmpty();
                assertThat(all.getNamespacesList()).extracting(n -> n.getBlock() + "/" + n.getName())
                        .containsExactly("kv/capped", "kv/limited", "kv/notes", "kv/other", "kv/secret-plans", "lease/locks");
                NamespaceInfo notes = all.getNamespacesList().get(2);
                assertThat(notes.getDriver()).isEqualTo("memory");
                assertThat(notes.getBackend()).isEqualTo("mem");
                assertThat(notes.getHasCount()).isTrue();
                assertThat(notes.getItemCount()).isEqualTo(1);
                assertThat(all.getNamespacesList().get(5).getHasCount()).isFalse();

                assertThatThrownBy(() -> admin(ch, server.token(List.of("*"), List.of("inspect", "get")))
                        .listNamespaces(ListNamespacesRequest.getDefaultInstance()))
                        .isInstanceOfSatisfying(StatusRuntimeException.class,
                                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
            } finally {
                ch.shutdownNow();
            }
        }
    }
}
