package io.memsidecar.cli;

import io.memsidecar.mcp.GrpcRpc;
import io.memsidecar.mcp.MemsidecarMcp;
import io.memsidecar.mcp.Rpc;
import io.memsidecar.proto.Version;
import io.memsidecar.proto.admin.v1.AdminGrpc;
import io.memsidecar.proto.admin.v1.ListNamespacesRequest;
import io.memsidecar.proto.admin.v1.NamespaceInfo;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;

/**
 * {@code memctl mcp}: an MCP server on stdio for hosts that start tools as processes. Standard
 * output carries only the protocol; diagnostics go to standard error. It ends when the host
 * closes standard input.
 */
@Command(name = "mcp", description = "Serve the memsidecar MCP tools over stdio (for MCP hosts).",
        footer = {"%nExample host entry (claude_desktop_config.json, .vscode/mcp.json, ...):",
                "  {\"mcpServers\": {\"memsidecar\": {\"command\": \"memctl\", \"args\": [\"mcp\"],",
                "    \"env\": {\"MEMSIDECAR_ADDR\": \"127.0.0.1:7777\", \"MEMSIDECAR_TOKEN\": \"v4.public...\"}}}}"})
final class McpCommand extends Remote {
    @Override
    int run(Connection c, Out out) throws InterruptedException {
        Rpc rpc = new GrpcRpc(c.channel(), MemsidecarMcp.TOOL_TIMEOUT);
        var closed = new CountDownLatch(1);
        var mcp = new MemsidecarMcp(Version.current());
        var server = mcp.stdio(rpc, new EndAware(System.in, closed), System.out, namespaces(rpc));
        System.err.println("memctl mcp: serving " + String.join(", ", mcp.toolNames())
                + " for " + (c.unix != null ? "unix:" + c.unix : c.addr));
        closed.await();
        server.closeGracefully();
        return Memctl.OK;
    }

    /** The namespaces to offer as resources: those the token may list (none without admin.inspect). */
    private static List<NamespaceInfo> namespaces(Rpc rpc) {
        try {
            return rpc.unary(AdminGrpc.getListNamespacesMethod(), ListNamespacesRequest.getDefaultInstance()).getNamespacesList();
        } catch (Rpc.RpcException e) {
            System.err.println("memctl mcp: namespaces not listed as resources (" + e + ")");
            return List.of();
        }
    }

    /** Standard input that reports its end: the host closed it, so the server stops. */
    private static final class EndAware extends FilterInputStream {
        private final CountDownLatch closed;

        EndAware(InputStream in, CountDownLatch closed) {
            super(in);
            this.closed = closed;
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            if (b < 0) {
                closed.countDown();
            }
            return b;
        }

        @Override
        public int read(byte[] buffer, int offset, int length) throws IOException {
            int n = super.read(buffer, offset, length);
            if (n < 0) {
                closed.countDown();
            }
            return n;
        }
    }
}
