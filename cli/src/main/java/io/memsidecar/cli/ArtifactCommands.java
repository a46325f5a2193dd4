package io.memsidecar.cli;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.memsidecar.proto.artifact.v1.ArtifactGrpc;
import io.memsidecar.proto.artifact.v1.ArtifactMeta;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.ListRequest;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "artifact", description = "Blobs, streamed: put, get, stat, ls, rm.",
        subcommands = {ArtifactCommands.Put.class, ArtifactCommands.Get.class, ArtifactCommands.Stat.class,
                ArtifactCommands.Ls.class, ArtifactCommands.Rm.class})
final class ArtifactCommands {
    /** The chunk size of uploads, as the original SDKs send. */
    static final int CHUNK = 64 * 1024;

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
            var init = PutInit.newBuilder().setNamespace(namespace).putAllMetadata(metadata)
                    .setId(!id.isEmpty() || stdin ? id : path.getFileName().toString());
            long size = -1;
            if (!stdin) {
                size = Files.size(path);
                init.setExpectedSize(size);
                String probed = Files.probeContentType(path);
                if (contentType == null && probed != null) {
                    init.setContentType(probed);
                }
            }
            if (contentType != null) {
                init.setContentType(contentType);
            }
            var bar = new Progress("put " + (stdin ? "stdin" : file), size, progress != null ? progress : Progress.auto());
            try (InputStream in = stdin ? System.in : Files.newInputStream(path)) {
                PutResponse r = upload(c, init.build(), in, bar);
                bar.finish();
                out.print(r, () -> out.line("stored " + r.getRef().getId() + " (" + Out.bytes(r.getRef().getSize())
                        + ", sha256 " + r.getRef().getSha256() + ")"));
            }
            return Memctl.OK;
        }

        /** Sends the chunks as fast as the call's flow control lets through, reading the input as it goes. */
        private static PutResponse upload(Connection c, PutInit init, InputStream in, Progress bar) throws IOException,
                InterruptedException {
            var uploader = new Uploader();
            c.streaming(ArtifactGrpc::newStub).put(uploader);
            var requests = uploader.requests;
            requests.onNext(PutRequest.newBuilder().setInit(init).build());
            byte[] buffer = new byte[CHUNK];
            try {
                int n;
                while ((n = in.readNBytes(buffer, 0, CHUNK)) > 0 && !uploader.result.isDone()) {
                    uploader.awaitReady();
                    requests.onNext(PutRequest.newBuilder().setChunk(PutChunk.newBuilder().setData(ByteString.copyFrom(buffer, 0, n)))
                            .build());
                    bar.add(n);
                }
            } catch (IOException e) {
                requests.onError(Status.CANCELLED.withDescription("reading the input failed").asRuntimeException());
                throw e;
            }
            if (!uploader.result.isDone()) {
                requests.onCompleted();
            }
            try {
                return uploader.result.get();
            } catch (ExecutionException e) {
                throw e.getCause() instanceof StatusRuntimeException s ? s : new IllegalStateException(e.getCause());
            }
        }
    }

    /** The response side of an upload, and the readiness the sending loop waits for. */
    private static final class Uploader implements ClientResponseObserver<PutRequest, PutResponse> {
        final CompletableFuture<PutResponse> result = new CompletableFuture<>();
        private final Object lock = new Object();
        private PutResponse response;
        ClientCallStreamObserver<PutRequest> requests;

        @Override
        public void beforeStart(ClientCallStreamObserver<PutRequest> stream) {
            requests = stream;
            stream.setOnReadyHandler(() -> {
                synchronized (lock) {
                    lock.notifyAll();
                }
            });
        }

        void awaitReady() throws InterruptedException {
            synchronized (lock) {
                while (!requests.isReady() && !result.isDone()) {
                    lock.wait(100);
                }
            }
        }

        @Override
        public void onNext(PutResponse value) {
            response = value;
        }

        @Override
        public void onError(Throwable t) {
            result.completeExceptionally(t);
            synchronized (lock) {
                lock.notifyAll();
            }
        }

        @Override
        public void onCompleted() {
            result.complete(response);
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
            var call = io.grpc.Context.current().withCancellation();
            try {
                return call.call(() -> download(c));
            } finally {
                call.cancel(null);
            }
        }

        private int download(Connection c) throws IOException {
            Iterator<GetResponse> stream = c.streaming(ArtifactGrpc::newBlockingStub).get(GetRequest.newBuilder()
                    .setNamespace(namespace).setId(id).setOffset(offset).setLength(length).build());
            ArtifactMeta meta = stream.next().getHeader().getMeta();
            long expected = length > 0 ? Math.min(length, Math.max(0, meta.getSize() - offset)) : Math.max(0, meta.getSize() - offset);
            var bar = new Progress("get " + id, expected, progress != null ? progress : Progress.auto());
            if (file.equals("-")) {
                copy(stream, System.out, bar);
                System.out.flush();
            } else {
                Path target = Path.of(file);
                Path part = target.resolveSibling(target.getFileName() + ".part");
                try (OutputStream o = Files.newOutputStream(part)) {
                    copy(stream, o, bar);
                } catch (IOException | RuntimeException e) {
                    Files.deleteIfExists(part);
                    throw e;
                }
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
            bar.finish();
            return Memctl.OK;
        }

        private static void copy(Iterator<GetResponse> stream, OutputStream o, Progress bar) throws IOException {
            while (stream.hasNext()) {
                ByteString data = stream.next().getChunk().getData();
                data.writeTo(o);
                bar.add(data.size());
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
                System.err.println("(not found)");
                return Memctl.NOT_FOUND;
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
            if (!out.json()) {
                table.end();
            }
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
            out.print(r, () -> out.line(r.getExisted() ? "deleted" : "(not found)"));
            return r.getExisted() ? Memctl.OK : Memctl.NOT_FOUND;
        }
    }
}
