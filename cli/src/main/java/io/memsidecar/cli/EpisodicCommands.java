package io.memsidecar.cli;

import io.grpc.Context;
import io.memsidecar.proto.episodic.v1.AppendRequest;
import io.memsidecar.proto.episodic.v1.EpisodicGrpc;
import io.memsidecar.proto.episodic.v1.Event;
import io.memsidecar.proto.episodic.v1.RangeRequest;
import io.memsidecar.proto.episodic.v1.TailRequest;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "episodic", description = "Event logs: append, range, tail.",
        subcommands = {EpisodicCommands.Append.class, EpisodicCommands.Range.class, EpisodicCommands.Tail.class})
final class EpisodicCommands {
    private static final int[] WIDTHS = {8, 20, 14, 10, 16};

    private static Out.Table table(Out out) {
        return out.table(WIDTHS, "CURSOR", "TIME", "TYPE", "ROLE", "SESSION", "PAYLOAD");
    }

    private static void print(Out out, Out.Table table, Event e) {
        out.print(e, () -> table.row(e.getCursor(), Out.time(e.getTimestamp()), e.getType(), e.getRole().isEmpty() ? "-" : e.getRole(),
                e.getSessionId().isEmpty() ? "-" : e.getSessionId(), Out.truncate(Out.text(e.getPayload()), 120)));
    }

    @Command(name = "append", description = "Append an event; prints its cursor.",
            footer = {"%nExample:", "  memctl episodic append events message 'hello' --role user --session s1"})
    static final class Append extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "TYPE", description = "Event type, e.g. message, tool_call.")
        String type;
        @Parameters(index = "2", paramLabel = "PAYLOAD", arity = "0..1", description = "The payload; - reads standard input, @FILE a file.")
        String payload;
        @Option(names = "--role", defaultValue = "")
        String role;
        @Option(names = "--session", defaultValue = "", paramLabel = "ID")
        String session;
        @Option(names = "--source", defaultValue = "")
        String source;
        @Option(names = "--dedup-key", defaultValue = "", paramLabel = "KEY", description = "Append once per key.")
        String dedupKey;
        @Option(names = "--supersedes", split = ",", paramLabel = "ID", description = "Ids of events this one replaces.")
        List<String> supersedes = List.of();
        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata entry (repeatable).")
        Map<String, String> metadata = Map.of();

        @Override
        int run(Connection c, Out out) throws Exception {
            var b = AppendRequest.newBuilder().setNamespace(namespace).setType(type).setRole(role).setSessionId(session)
                    .setSource(source).setDedupKey(dedupKey).addAllSupersedes(supersedes).putAllMetadata(metadata);
            if (payload != null) {
                b.setPayload(Inputs.value(payload));
            }
            var r = c.unary(EpisodicGrpc::newBlockingStub).append(b.build());
            out.print(r, () -> out.line("appended cursor " + r.getEvent().getCursor() + " (id " + r.getEvent().getId() + ")"));
            return Memctl.OK;
        }
    }

    @Command(name = "range", description = "Print stored events in cursor order.",
            footer = {"%nExample:", "  memctl episodic range events --session s1 --limit 20 --output json | jq -r .payload"})
    static final class Range extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Option(names = "--after-cursor", defaultValue = "0", paramLabel = "N")
        long after;
        @Option(names = "--before-cursor", defaultValue = "0", paramLabel = "N")
        long before;
        @Option(names = "--after-time", paramLabel = "RFC3339")
        String afterTime;
        @Option(names = "--before-time", paramLabel = "RFC3339")
        String beforeTime;
        @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "At most N events (0: all).")
        int limit;
        @Option(names = "--reverse", description = "Newest first.")
        boolean reverse;
        @Option(names = "--include-deleted")
        boolean includeDeleted;
        @Option(names = "--session", defaultValue = "", paramLabel = "ID")
        String session;
        @Option(names = "--role", defaultValue = "")
        String role;
        @Option(names = "--type", defaultValue = "")
        String type;

        @Override
        int run(Connection c, Out out) {
            var b = RangeRequest.newBuilder().setNamespace(namespace).setAfterCursor(after).setBeforeCursor(before)
                    .setLimit(limit).setReverse(reverse).setIncludeDeleted(includeDeleted).setSessionId(session)
                    .setRole(role).setType(type);
            if (afterTime != null) {
                b.setAfterTime(Inputs.time(afterTime));
            }
            if (beforeTime != null) {
                b.setBeforeTime(Inputs.time(beforeTime));
            }
            Iterator<Event> events = c.streaming(EpisodicGrpc::newBlockingStub).range(b.build());
            var table = table(out);
            events.forEachRemaining(e -> print(out, table, e));
            table.end();
            return Memctl.OK;
        }
    }

    @Command(name = "tail", description = "Follow new events live until Ctrl-C.",
            footer = {"%nExamples:", "  memctl episodic tail events", "  memctl episodic tail events --historical --output json | jq ."})
    static final class Tail extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Option(names = "--historical", description = "Start with the stored events (after --after-cursor).")
        boolean historical;
        @Option(names = "--after-cursor", defaultValue = "0", paramLabel = "N")
        long after;

        @Override
        int run(Connection c, Out out) throws Exception {
            // Ctrl-C: the JVM runs its shutdown hooks; cancelling the call ends the stream at the server too.
            Context.CancellableContext context = Context.current().withCancellation();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> context.cancel(null)));
            return context.call(() -> {
                Iterator<Event> events = c.streaming(EpisodicGrpc::newBlockingStub).tail(TailRequest.newBuilder()
                        .setNamespace(namespace).setAfterCursor(after).setIncludeHistorical(historical).build());
                var table = table(out);
                table.end();
                events.forEachRemaining(e -> print(out, table, e));
                return Memctl.OK;
            });
        }
    }
}
