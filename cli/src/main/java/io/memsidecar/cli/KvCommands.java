package io.memsidecar.cli;

import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.GetAccessRequest;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVGrpc;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import io.memsidecar.proto.kv.v1.ScanRequest;
import io.memsidecar.proto.kv.v1.TxnRequest;
import io.memsidecar.proto.kv.v1.TxnResponse;
import java.util.Iterator;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "kv", description = "Key-value memory: get, put, del, scan, access, txn.",
        subcommands = {KvCommands.Get.class, KvCommands.Put.class, KvCommands.Del.class, KvCommands.Scan.class,
                KvCommands.Access.class, KvCommands.Txn.class})
final class KvCommands {
    @Command(name = "get", description = "Print a value (its bytes as stored; --output json for the whole entry).",
            footer = {"%nExample:", "  memctl kv get agent-state user:42 > prefs.json"})
    static final class Get extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        int run(Connection c, Out out) throws Exception {
            GetResponse r = c.unary(KVGrpc::newBlockingStub).get(GetRequest.newBuilder().setNamespace(namespace).setKey(key).build());
            if (!r.getFound()) {
                return Out.notFound();
            }
            if (out.json()) {
                out.line(Out.json(r));
            } else {
                r.getValue().writeTo(System.out);
                if (Inputs.terminal(1)) {
                    System.out.println();
                }
                System.out.flush();
            }
            return Memctl.OK;
        }
    }

    @Command(name = "put", description = "Store a value (last write wins, or compare-and-set with --if-version).",
            footer = {"%nExamples:", "  memctl kv put agent-state user:42 '{\"lang\":\"fr\"}' --ttl 24h --content-type application/json",
                    "  memctl kv put agent-state blob @./state.bin", "  echo hello | memctl kv put agent-state greeting -"})
    static final class Put extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;
        @Parameters(index = "2", paramLabel = "VALUE", description = "The value; - reads standard input, @FILE a file.")
        String value;
        @Option(names = "--ttl", paramLabel = "DURATION", description = "Expire after this long, e.g. 5m.")
        String ttl;
        @Option(names = "--content-type", paramLabel = "TYPE")
        String contentType;
        @Option(names = "--if-version", paramLabel = "N", description = "Only if the stored version is N (0: only if absent).")
        Long ifVersion;
        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata entry (repeatable).")
        Map<String, String> metadata = Map.of();

        @Override
        int run(Connection c, Out out) throws Exception {
            var b = PutRequest.newBuilder().setNamespace(namespace).setKey(key).setValue(Inputs.value(value))
                    .putAllMetadata(metadata);
            if (ttl != null) {
                b.setTtl(Inputs.duration(ttl));
            }
            if (contentType != null) {
                b.setContentType(contentType);
            }
            if (ifVersion != null) {
                b.setIfVersion(ifVersion);
            }
            PutResponse r = c.unary(KVGrpc::newBlockingStub).put(b.build());
            out.print(r, () -> out.line("ok (version " + r.getVersion() + ")"));
            return Memctl.OK;
        }
    }

    @Command(name = "del", aliases = "delete", description = "Delete a key (exit 2 if it did not exist).")
    static final class Del extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;
        @Option(names = "--if-version", paramLabel = "N", description = "Only if the stored version is N.")
        Long ifVersion;

        @Override
        int run(Connection c, Out out) {
            var b = DeleteRequest.newBuilder().setNamespace(namespace).setKey(key);
            if (ifVersion != null) {
                b.setIfVersion(ifVersion);
            }
            var r = c.unary(KVGrpc::newBlockingStub).delete(b.build());
            return out.existed(r, r.getExisted(), "deleted");
        }
    }

    @Command(name = "access", description = "The reads a tracking access tier (access.track) recorded for a key; not itself a read."
            + " Exit 2 if the key does not exist.",
            footer = {"%nExample:", "  memctl kv access tool-cache search:weather"})
    static final class Access extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "KEY")
        String key;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(KVGrpc::newBlockingStub).getAccess(GetAccessRequest.newBuilder().setNamespace(namespace).setKey(key).build());
            if (!r.getFound()) {
                return Out.notFound();
            }
            out.print(r, () -> out.line(!r.getTracked() ? "not tracked (the namespace has no access.track)"
                    : r.getAccessCount() + " reads" + (r.hasLastAccessed() ? ", last " + Out.time(r.getLastAccessed()) : "")));
            return Memctl.OK;
        }
    }

    @Command(name = "txn", description = "Run a multi-key transaction: a TxnRequest in JSON (proto3 JSON, as the gateway takes it;"
            + " the namespace argument fills in \"namespace\"). Prints the TxnResponse; exit 4 (as a failed precondition) when the failure ops ran.",
            footer = {"%nExample:", "  memctl kv txn agent-state @move.json",
                    "  echo '{\"compare\":[{\"key\":\"task:7\",\"absent\":true}],"
                            + "\"success\":[{\"put\":{\"key\":\"task:7\",\"value\":\"b3duZXI=\"}}]}' | memctl kv txn agent-state -"})
    static final class Txn extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "JSON", description = "The request; - reads standard input, @FILE a file.")
        String json;

        @Override
        int run(Connection c, Out out) throws Exception {
            var b = TxnRequest.newBuilder();
            com.google.protobuf.util.JsonFormat.parser().merge(Inputs.value(json).toStringUtf8(), b);
            TxnResponse r = c.unary(KVGrpc::newBlockingStub).txn(b.setNamespace(namespace).build());
            out.print(r, () -> out.line((r.getSucceeded() ? "succeeded" : "failed (compares " + r.getFailedComparesList() + ")")
                    + ", " + r.getResultsCount() + " ops"));
            return r.getSucceeded() ? Memctl.OK : Memctl.PRECONDITION;
        }
    }

    @Command(name = "scan", description = "List keys in key order.",
            footer = {"%nExample:", "  memctl kv scan agent-state --prefix user: --values --output json | jq -r .key"})
    static final class Scan extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Option(names = "--prefix", defaultValue = "", paramLabel = "PREFIX")
        String prefix;
        @Option(names = "--start-after", defaultValue = "", paramLabel = "KEY", description = "Resume after this key.")
        String startAfter;
        @Option(names = "--limit", defaultValue = "0", paramLabel = "N", description = "At most N keys (0: the server's default).")
        int limit;
        @Option(names = "--values", description = "Include the values.")
        boolean values;

        @Override
        int run(Connection c, Out out) {
            Iterator<KVItem> items = c.streaming(KVGrpc::newBlockingStub).scan(ScanRequest.newBuilder().setNamespace(namespace)
                    .setKeyPrefix(prefix).setStartAfter(startAfter).setLimit(limit).setIncludeValues(values).build());
            var table = out.table(new int[] {32, 8, 20, 20}, "KEY", "VERSION", "CREATED", "EXPIRES", values ? "VALUE" : "");
            while (items.hasNext()) {
                KVItem item = items.next();
                out.print(item, () -> table.row(item.getKey(), item.getVersion(), Out.time(item.getCreatedAt()),
                        Out.time(item.getExpiresAt()), values ? Out.text(item.getValue()) : ""));
            }
            table.end();
            return Memctl.OK;
        }
    }
}
