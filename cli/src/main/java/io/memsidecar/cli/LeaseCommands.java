package io.memsidecar.cli;

import io.memsidecar.proto.lease.v1.AcquireRequest;
import io.memsidecar.proto.lease.v1.InspectRequest;
import io.memsidecar.proto.lease.v1.LeaseGrpc;
import io.memsidecar.proto.lease.v1.LeaseHandle;
import io.memsidecar.proto.lease.v1.ListRequest;
import io.memsidecar.proto.lease.v1.ReleaseRequest;
import io.memsidecar.proto.lease.v1.RenewRequest;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lease", description = "Locks with fencing tokens: acquire, renew, release, inspect, ls.",
        subcommands = {LeaseCommands.Acquire.class, LeaseCommands.Renew.class, LeaseCommands.Release.class,
                LeaseCommands.Inspect.class, LeaseCommands.Ls.class})
final class LeaseCommands {
    private static void handle(Out out, LeaseHandle h) {
        out.line("holder:        " + h.getHolderId());
        out.line("key:           " + h.getNamespace() + "/" + h.getKey());
        out.line("fencing token: " + h.getFencingToken());
        out.line("acquired:      " + Out.time(h.getAcquiredAt()));
        out.line("expires:       " + Out.time(h.getExpiresAt()));
        if (!h.getMetadataMap().isEmpty()) {
            out.line("metadata:      " + Out.map(h.getMetadataMap()));
        }
    }

    @Command(name = "acquire", description = "Take a lease; prints the holder id (for renew/release) and the fencing token.",
            footer = {"%nExample:", "  holder=$(memctl lease acquire locks finalize-s1 --ttl 30s --output json | jq -r .handle.holderId)"})
    static final class Acquire extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;
        @Option(names = "--ttl", required = true, paramLabel = "DURATION", description = "How long it holds unless renewed, e.g. 30s.")
        String ttl;
        @Option(names = "--wait", paramLabel = "DURATION", description = "Wait this long for a held lease (default: fail at once).")
        String waitFor;
        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata entry (repeatable).")
        Map<String, String> metadata = Map.of();

        @Override
        int run(Connection c, Out out) {
            var b = AcquireRequest.newBuilder().setNamespace(namespace).setKey(key).setTtl(Inputs.duration(ttl)).putAllMetadata(metadata);
            var stub = waitFor == null ? c.unary(LeaseGrpc::newBlockingStub) : c.streaming(LeaseGrpc::newBlockingStub);
            if (waitFor != null) {
                b.setWaitFor(Inputs.duration(waitFor));
                stub = stub.withDeadlineAfter(io.memsidecar.core.GoDuration.parse(waitFor).plusSeconds(20).toMillis(),
                        java.util.concurrent.TimeUnit.MILLISECONDS);
            }
            var r = stub.acquire(b.build());
            out.print(r, () -> handle(out, r.getHandle()));
            return Memctl.OK;
        }
    }

    @Command(name = "renew", description = "Extend a lease you hold.")
    static final class Renew extends Remote {
        @Parameters(index = "0", paramLabel = "HOLDER")
        String holder;
        @Parameters(index = "1", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "2", paramLabel = "KEY")
        String key;
        @Option(names = "--ttl", required = true, paramLabel = "DURATION")
        String ttl;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(LeaseGrpc::newBlockingStub).renew(RenewRequest.newBuilder().setHolderId(holder).setNamespace(namespace)
                    .setKey(key).setTtl(Inputs.duration(ttl)).build());
            out.print(r, () -> handle(out, r.getHandle()));
            return Memctl.OK;
        }
    }

    @Command(name = "release", description = "Give a lease back (exit 2 if it was not held).")
    static final class Release extends Remote {
        @Parameters(index = "0", paramLabel = "HOLDER")
        String holder;
        @Parameters(index = "1", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "2", paramLabel = "KEY")
        String key;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(LeaseGrpc::newBlockingStub).release(ReleaseRequest.newBuilder().setHolderId(holder)
                    .setNamespace(namespace).setKey(key).build());
            return out.existed(r, r.getExisted(), "released");
        }
    }

    @Command(name = "inspect", description = "Show who holds a lease (exit 2 if nobody does).")
    static final class Inspect extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(LeaseGrpc::newBlockingStub).inspect(InspectRequest.newBuilder().setNamespace(namespace).setKey(key).build());
            out.print(r, () -> {
                if (r.getHeld()) {
                    handle(out, r.getHandle());
                } else {
                    out.line("(not held)");
                }
            });
            return r.getHeld() ? Memctl.OK : Memctl.NOT_FOUND;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List the held leases of a namespace.")
    static final class Ls extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(LeaseGrpc::newBlockingStub).list(ListRequest.newBuilder().setNamespace(namespace).build());
            if (out.json()) {
                r.getLeasesList().forEach(h -> out.line(Out.json(h)));
                return Memctl.OK;
            }
            var table = out.table(new int[] {24, 38, 8, 20}, "KEY", "HOLDER", "FENCING", "EXPIRES");
            r.getLeasesList().forEach(h -> table.row(h.getKey(), h.getHolderId(), h.getFencingToken(), Out.time(h.getExpiresAt())));
            table.end();
            return Memctl.OK;
        }
    }
}
