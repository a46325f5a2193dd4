package io.memsidecar.cli;

import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

final class AdminCommands {
    private AdminCommands() {
    }

    @Command(name = "ns", description = "Namespaces.", subcommands = {Ns.Ls.class})
    static final class Ns {
        @Command(name = "ls", aliases = "list", description = "List the configured namespaces (needs op admin.inspect).")
        static final class Ls extends Remote {
            @Override
            int run(Connection c, Out out) {
                var r = c.unary(AdminGrpc::newBlockingStub).listNamespaces(ListNamespacesRequest.getDefaultInstance());
                out.print(r, () -> {
                    var table = out.table(new int[] {10, 24, 12, 10, 8}, "BLOCK", "NAME", "BACKEND", "DRIVER", "ITEMS", "EMBEDDER");
                    r.getNamespacesList().forEach(n -> table.row(n.getBlock(), n.getName(), n.getBackend(), n.getDriver(),
                            n.getHasCount() ? n.getItemCount() : "-", n.hasEmbedder() ? n.getEmbedder().getProvider()
                                    + (n.getEmbedder().getModel().isEmpty() ? "" : "/" + n.getEmbedder().getModel())
                                    + " (" + n.getEmbedder().getDimensions() + ")" : "-"));
                    table.end();
                    out.line("server " + r.getServer().getVersion());
                });
                return Memctl.OK;
            }
        }
    }

    @Command(name = "health", description = "Ask the sidecar's gRPC health service; exit 0 when SERVING, 5 otherwise.")
    static final class Health extends Remote {
        @Option(names = "--service", defaultValue = "", description = "A service name, e.g. memsidecar.kv.v1.KV (default: the server).")
        String service;

        @Override
        int run(Connection c, Out out) {
            HealthCheckResponse r = c.unary(HealthGrpc::newBlockingStub).check(HealthCheckRequest.newBuilder().setService(service).build());
            out.print(r, () -> out.line(r.getStatus().name()));
            return r.getStatus() == HealthCheckResponse.ServingStatus.SERVING ? Memctl.OK : Memctl.UNAVAILABLE;
        }
    }
}
