package io.memsidecar.cli;

import io.memsidecar.client.Artifacts;
import io.memsidecar.core.ProtoTime;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactMeta;
import io.memsidecar.proto.artifact.v1.ArtifactRef;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.ListRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "artifact", description = "Blobs, streamed: put, get, stat, ls, rm.",
        subcommands = {ArtifactCommands.Put.class, ArtifactCommands.Get.class, ArtifactCommands.Stat.class,
                ArtifactCommands.Ls.class, ArtifactCommands.Rm.class})
final class ArtifactCommands {
    @Command(name = "put", description = "Upload a file or standard input in 64 KiB chunks (never read whole).",
            footer = {"%nExamples:", "  memctl artifact put reports ./report.pdf --id report-1 --content-type application/pdf",
                    "  tar c data | memctl artifact put backups - --id data.tar"})
    static final class Put extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "FILE", arity = "0..1", defaultValue = "-", description = "The file; - (default) reads standard input.")
        String file;
        @Option(names = "--id", defaultValue = "", description = "Artifact id (default: the file's name, or generated for stdin).")
        String id;
        @Option(names = "--content-type", paramLabel = "TYPE")
        String contentType;
        @Option(names = "--meta", paramLabel = "KEY=VALUE", description = "Metadata entry (repeatable).")
        Map<String, String> metadata = Map.of();
        @Option(names = "--progress", negatable = true, description = "Show progress (default: when stderr is a terminal).")
        Boolean progress;

        @Override
        int run(Connection c, Out out) throws Exception {
            boolean stdin = file.equals("-");
            Path path = stdin ? null : Path.of(file);
            long size = stdin ? -1 : Files.size(path);
            String type = contentType != null ? contentType : stdin ? "" : Objects.requireNonNullElse(Files.probeContentType(path), "");
            var options = new Artifacts.PutOptions(type, metadata, stdin ? OptionalLong.empty() : OptionalLong.of(size), "");
            var bar = new Progress("put " + (stdin ? "stdin" : file), size, progress != null ? progress : Progress.auto());
            Artifacts.Ref ref;
            try (InputStream in = stdin ? System.in : Files.newInputStream(path);
                 Artifacts.Upload upload = c.client().artifact().upload(namespace,
                         !id.isEmpty() || stdin ? id : path.getFileName().toString(), options)) {
                byte[] buffer = new byte[Artifacts.CHUNK];
                int n;
                while ((n = in.readNBytes(buffer, 0, buffer.length)) > 0) {
                    upload.write(buffer, 0, n);
                    bar.add(n);
                }
                upload.close();
                ref = upload.ref();
            }
            bar.finish();
            var r = PutResponse.newBuilder().setRef(ArtifactRef.newBuilder().setId(ref.id()).setSize(ref.size())
                    .setContentType(ref.contentType()).setSha256(ref.sha256()).setCreatedAt(ProtoTime.timestamp(ref.createdAt())))
                    .build();
            out.print(r, () -> out.line("stored " + ref.id() + " (" + Out.bytes(ref.size()) + ", sha256 " + ref.sha256() + ")"));
            return Memctl.OK;
        }
    }

    @Command(name = "get", description = "Download an artifact to a file or standard output, streamed.",
            footer = {"%nExamples:", "  memctl artifact get reports report-1 ./report.pdf",
                    "  memctl artifact get reports report-1 --offset 0 --length 1024 | xxd | head"})
    static final class Get extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;
        @Parameters(index = "2", paramLabel = "FILE", arity = "0..1", defaultValue = "-",
                description = "Where to write; - (default) is standard output. A file appears only when complete.")
        String file;
        @Option(names = "--offset", defaultValue = "0", paramLabel = "BYTES")
        long offset;
        @Option(names = "--length", defaultValue = "0", paramLabel = "BYTES", description = "0: to the end.")
        long length;
        @Option(names = "--progress", negatable = true, description = "Show progress (default: when stderr is a terminal).")
        Boolean progress;

        @Override
        int run(Connection c, Out out) throws Exception {
            return download(c);
        }

        private int download(Connection c) throws IOException {
            try (Artifacts.Download in = c.client().artifact().get(namespace, id, offset, length)) {
                long total = in.info().size();
                long expected = Math.max(0, length > 0 ? Math.min(length, total - offset) : total - offset);
                var bar = new Progress("get " + id, expected, progress != null ? progress : Progress.auto());
                if (file.equals("-")) {
                    copy(in, System.out, bar);
                    System.out.flush();
                } else {
                    Path target = Path.of(file);
                    Path part = target.resolveSibling(target.getFileName() + ".part");
                    try (OutputStream o = Files.newOutputStream(part)) {
                        copy(in, o, bar);
                    } catch (IOException | RuntimeException e) {
                        Files.deleteIfExists(part);
                        throw e;
                    }
                    Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                }
                bar.finish();
                return Memctl.OK;
            }
        }

        private static void copy(InputStream in, OutputStream o, Progress bar) throws IOException {
            byte[] buffer = new byte[Artifacts.CHUNK];
            int n;
            while ((n = in.read(buffer)) > 0) {
                o.write(buffer, 0, n);
                bar.add(n);
            }
        }
    }

    @Command(name = "stat", description = "Print an artifact's size, type, checksum and metadata (exit 2 if absent).")
    static final class Stat extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(ArtifactGrpc::newBlockingStub).stat(StatRequest.newBuilder().setNamespace(namespace).setId(id).build());
            if (!r.getFound()) {
                return Out.notFound();
            }
            ArtifactMeta m = r.getMeta();
            out.print(r, () -> {
                out.line("id:           " + m.getId());
                out.line("size:         " + m.getSize() + " (" + Out.bytes(m.getSize()) + ")");
                out.line("content-type: " + (m.getContentType().isEmpty() ? "-" : m.getContentType()));
                out.line("sha256:       " + m.getSha256());
                out.line("created:      " + Out.time(m.getCreatedAt()));
                out.line("metadata:     " + Out.map(m.getMetadataMap()));
            });
            return Memctl.OK;
        }
    }

    @Command(name = "ls", aliases = "list", description = "List artifacts in id order.")
    static final class Ls extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Option(names = "--filter", split = ",", paramLabel = "KEY=VALUE", description = "Metadata equality filter.")
        Map<String, String> filter = Map.of();
        @Option(names = "--start-after", defaultValue = "", paramLabel = "ID")
        String startAfter;
        @Option(names = "--limit", defaultValue = "0", paramLabel = "N")
        int limit;

        @Override
        int run(Connection c, Out out) {
            Iterator<ArtifactMeta> items = c.streaming(ArtifactGrpc::newBlockingStub).list(ListRequest.newBuilder()
                    .setNamespace(namespace).putAllFilter(filter).setStartAfter(startAfter).setLimit(limit).build());
            var table = out.table(new int[] {32, 10, 24, 20}, "ID", "SIZE", "TYPE", "CREATED", "SHA256");
            items.forEachRemaining(m -> out.print(m, () -> table.row(m.getId(), Out.bytes(m.getSize()),
                    m.getContentType().isEmpty() ? "-" : m.getContentType(), Out.time(m.getCreatedAt()), m.getSha256())));
            table.end();
            return Memctl.OK;
        }
    }

    @Command(name = "rm", aliases = "delete", description = "Delete an artifact (exit 2 if it did not exist).")
    static final class Rm extends Remote {
        @Parameters(index = "0", paramLabel = "NAMESPACE")
        String namespace;
        @Parameters(index = "1", paramLabel = "ID")
        String id;

        @Override
        int run(Connection c, Out out) {
            var r = c.unary(ArtifactGrpc::newBlockingStub).delete(DeleteRequest.newBuilder().setNamespace(namespace).setId(id).build());
            return out.existed(r, r.getExisted(), "deleted");
        }
    }
}
