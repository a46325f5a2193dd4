package io.memsidecar.client;

import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import java.util.List;
import java.util.OptionalLong;

/** Introspection (spec §2.8); needs op {@code admin.inspect}. */
public final class Admin {
    private final MemSidecar client;

    Admin(MemSidecar client) {
        this.client = client;
    }

    /** A configured namespace; {@code items} where the driver counts cheaply, the embedder for semantic ones. */
    public record Namespace(String block, String name, String backend, String driver, OptionalLong items, String embedder,
                            int dimensions) {
    }

    public List<Namespace> listNamespaces() {
        var r = Calls.call(() -> client.unary(AdminGrpc::newBlockingStub).listNamespaces(ListNamespacesRequest.getDefaultInstance()));
        return r.getNamespacesList().stream().map(n -> new Namespace(n.getBlock(), n.getName(), n.getBackend(), n.getDriver(),
                n.getHasCount() ? OptionalLong.of(n.getItemCount()) : OptionalLong.empty(),
                n.hasEmbedder() ? n.getEmbedder().getProvider() + (n.getEmbedder().getModel().isEmpty() ? "" : "/" + n.getEmbedder().getModel()) : "",
                n.hasEmbedder() ? n.getEmbedder().getDimensions() : 0)).toList();
    }
}
