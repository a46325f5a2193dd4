package io.memsidecar.cli;

import io.memsidecar.proto.semantic.v1.DeleteRequest;
import io.memsidecar.proto.semantic.v1.FieldPredicate;
import io.memsidecar.proto.semantic.v1.GetRequest;
import io.memsidecar.proto.semantic.v1.Hit;
import io.memsidecar.proto.semantic.v1.PredicateOp;
import io.memsidecar.proto.semantic.v1.Record;
import io.memsidecar.proto.semantic.v1.SearchMode;
import io.memsidecar.proto.semantic.v1.SearchRequest;
import io.memsidecar.proto.semantic.v1.SemanticGrpc;
import io.memsidecar.proto.semantic.v1.UpsertRequest;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "semantic", description = "Vector and hybrid search memory: upsert, search, get, del.",
        subcommands = {SemanticCommands.Upsert.class, SemanticCommands.Search.class, SemanticCommands.Get.class,
                SemanticCommands.Del.class})
final class SemanticCommands {
    @Command(name = "upsert", description = "Store a text (the server embeds it); prints its id and version.",
            footer = {"%nExample:", "  memctl semantic upsert notes 'Paris is the capital of France' --id fact-1 --meta topic=geo"})
    static final class Upsert extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "CONTENT", description = "The text; - reads standard input, @FILE a file.")
        String content;
        @Option(names = "--id", defaultValue = "", description = "Record id (default: generated); an existing id is replaced.")
        String id;
        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata entry (repeatable), for --filter.")
        Map<String, String> metadata = Map.of();
        @Option(names = "--if-version", paramLabel = "N", description = "Only if the stored version is N (0: only if new).")
        Long ifVersion;

        @Override
        int run(Connection c, Out out) throws Exception {
            var record = Record.newBuilder().setId(id).setContent(Inputs.value(content).toStringUtf8()).putAllMetadata(metadata);
            if (ifVersion != null) {
                record.setIfVersion(ifVersion);
            }
            var r = c.unary(SemanticGrpc::newBlockingStub).upsert(UpsertRequest.newBuilder().setNamespace(namespace)
                    .addRecords(record).build());
            out.print(r, () -> out.line("stored id " + r.getIds(0) + " (version " + r.getVersions(0) + ")"));
            return Memctl.OK;
        }
    }

    @Command(name = "search", description = "Find stored texts by meaning.",
            footer = {"%nExamples:", "  memctl semantic search notes 'capital of France' --top-k 3",
                    "  memctl semantic search notes 'capital' --filter topic=geo --where 'year>=2020' --mode hybrid"})
    static final class Search extends Remote {
        private static final Pattern PREDICATE = Pattern.compile("([^!<>=]+)(==|=|!=|>=|<=|>|<| in )(.*)");

        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "QUERY")
        String query;
        @Option(names = "--top-k", defaultValue = "10", paramLabel = "N")
        int topK;
        @Option(names = "--filter", split = ",", paramLabel = "KEY=VALUE", description = "Metadata equality filter, e.g. topic=geo,lang=en.")
        Map<String, String> filter = Map.of();
        @Option(names = "--where", paramLabel = "PREDICATE",
                description = "Metadata predicate (repeatable): key=v, key!=v, key>v, key>=v, key<v, key<=v, 'key in a|b'.")
        List<String> where = List.of();
        @Option(names = "--mode", paramLabel = "MODE", description = "dense, sparse or hybrid (default: the namespace's).")
        String mode;
        @Option(names = "--payload", description = "Include the records' payloads (json output).")
        boolean payload;

        @Override
        int run(Connection c, Out out) {
            var b = SearchRequest.newBuilder().setNamespace(namespace).setQueryText(query).setTopK(topK).putAllFilter(filter)
                    .setIncludePayload(payload);
            where.forEach(w -> b.addPredicates(predicate(w)));
            if (mode != null) {
                b.setMode(SearchMode.valueOf("SEARCH_MODE_" + mode.toUpperCase(Locale.ROOT)));
            }
            var r = c.unary(SemanticGrpc::newBlockingStub).search(b.build());
            if (out.json()) {
                r.getHitsList().forEach(h -> out.line(Out.json(h)));
                return Memctl.OK;
            }
            var table = out.table(new int[] {7, 24}, "SCORE", "ID", "CONTENT");
            for (Hit h : r.getHitsList()) {
                table.row(String.format("%.4f", h.getScore()), h.getRecord().getId(), Out.truncate(h.getRecord().getContent(), 120));
            }
            table.end();
            return Memctl.OK;
        }

        static FieldPredicate predicate(String text) {
            Matcher m = PREDICATE.matcher(text);
            if (!m.matches()) {
                throw new IllegalArgumentException("--where " + text + ": expected key OP value");
            }
            PredicateOp op = switch (m.group(2).strip()) {
                case "=", "==" -> PredicateOp.PREDICATE_OP_EQ;
                case "!=" -> PredicateOp.PREDICATE_OP_NEQ;
                case ">" -> PredicateOp.PREDICATE_OP_GT;
                case ">=" -> PredicateOp.PREDICATE_OP_GTE;
                case "<" -> PredicateOp.PREDICATE_OP_LT;
                case "<=" -> PredicateOp.PREDICATE_OP_LTE;
                default -> PredicateOp.PREDICATE_OP_IN;
            };
            var p = FieldPredicate.newBuilder().setKey(m.group(1).strip()).setOp(op);
            if (op == PredicateOp.PREDICATE_OP_IN) {
                p.addAllValues(List.of(m.group(3).strip().split("\\|")));
            } else {
                p.addValues(m.group(3).strip());
            }
            return p.build();
        }
    }

    @Command(name = "get", description = "Print one record.")
    static final class Get extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(SemanticGrpc::newBlockingStub).get(GetRequest.newBuilder().setNamespace(namespace).setId(id)
                    .setIncludePayload(true).build());
            if (!r.getFound()) {
                return Out.notFound();
            }
            Record rec = r.getRecord();
            out.print(r, () -> {
                out.line("id:       " + rec.getId());
                out.line("version:  " + rec.getVersion());
                out.line("created:  " + Out.time(rec.getCreatedAt()));
                out.line("metadata: " + Out.map(rec.getMetadataMap()));
                out.line("content:  " + rec.getContent());
            });
            return Memctl.OK;
        }
    }

    @Command(name = "del", aliases = "delete", description = "Delete a record (exit 2 if it did not exist).")
    static final class Del extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;
        @Option(names = "--hard", description = "Remove it for good (default: a soft delete).")
        boolean hard;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(SemanticGrpc::newBlockingStub).delete(DeleteRequest.newBuilder().setNamespace(namespace).setId(id)
                    .setHard(hard).build());
            return out.existed(r, r.getExisted(), "deleted");
        }
    }
}
