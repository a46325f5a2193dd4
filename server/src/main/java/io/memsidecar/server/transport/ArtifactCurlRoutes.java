package io.memsidecar.server.transport;

import com.google.protobuf.UnsafeByteOperations;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.artifact.ArtifactService;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Call;
import io.memsidecar.core.Code;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import io.memsidecar.proto.artifact.v1.ArtifactMeta;
import io.memsidecar.proto.artifact.v1.DeleteRequest;
import io.memsidecar.proto.artifact.v1.DeleteResponse;
import io.memsidecar.proto.artifact.v1.GetRequest;
import io.memsidecar.proto.artifact.v1.GetResponse;
import io.memsidecar.proto.artifact.v1.PutChunk;
import io.memsidecar.proto.artifact.v1.PutInit;
import io.memsidecar.proto.artifact.v1.PutRequest;
import io.memsidecar.proto.artifact.v1.PutResponse;
import io.memsidecar.proto.artifact.v1.StatRequest;
import io.memsidecar.proto.artifact.v1.StatResponse;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Artifacts for curl, through the same filtered routes as gRPC:
 * {@code PUT /v1/artifacts/{ns}/{id}} streams the raw body in (Content-Type kept; optional
 * {@code X-Expected-Sha256} checked before the artifact becomes visible), {@code GET} streams it
 * back ({@code Range: bytes=a-b} gives 206; {@code ETag} is the SHA-256), {@code HEAD} and
 * {@code DELETE}.
 */
public final class ArtifactCurlRoutes {
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d*)-(\\d*)");
    /**
     * A PUT body's bytes per Put message inside the server (a gRPC client chooses its own): 1 MiB
     * moved a 256 MiB `curl -T` 1.2–1.3× faster than 64 KiB (fewer hand-offs to the hashing thread,
     * fewer and larger file writes; docs/benchmarks.md).
     */
    private static final int CHUNK = 1024 * 1024;
    private final RoutingTable table;

    public ArtifactCurlRoutes(RoutingTable table) {
        this.table = table;
    }

    public void register(HttpRouting.Builder routing) {
        String path = "/v1/artifacts/{namespace}/{id}";
        routing.put(path, this::put).get(path, this::get).head(path, this::head).delete(path, this::delete);
    }

    @SuppressWarnings("unchecked")
    private <Q extends com.google.protobuf.Message, R extends com.google.protobuf.Message> Route<Q, R> route(String method) {
        return (Route<Q, R>) table.route(ArtifactService.SERVICE + "/" + method).orElseThrow();
    }

    private static Call call(ServerRequest req) {
        return HttpGateway.call(req, "curl", () -> false);
    }

    private static String ns(ServerRequest req) {
        return req.path().pathParameters().get("namespace");
    }

    private static String id(ServerRequest req) {
        return req.path().pathParameters().get("id");
    }

    private void put(ServerRequest req, ServerResponse res) {
        try {
            var init = PutInit.newBuilder().setNamespace(ns(req)).setId(id(req))
                    .setContentType(req.headers().first(HeaderNames.CONTENT_TYPE).orElse(""));
            req.headers().first(HeaderNames.create("X-Expected-Sha256")).ifPresent(init::setExpectedSha256);
            InputStream body = Bodies.stream(req);
            long[] left = {req.headers().contentLength().orElse(Long.MAX_VALUE)}; // a small body gets a small array
            Call call = call(req).withRest(() -> {
                try {
                    if (left[0] == 0) {
                        return Optional.empty();
                    }
                    // the message's own bytes from here on: read once, not copied
                    byte[] chunk = new byte[(int) Math.min(CHUNK, left[0])];
                    int n = body.readNBytes(chunk, 0, chunk.length);
                    left[0] -= n;
                    return n == 0 ? Optional.empty() : Optional.of(PutRequest.newBuilder()
                            .setChunk(PutChunk.newBuilder().setData(UnsafeByteOperations.unsafeWrap(chunk, 0, n))).build());
                } catch (IOException e) {
                    throw new ApiException(Code.CANCELLED, "request body ended early");
                }
            });
            PutResponse r = HttpGateway.call(this.<PutRequest, PutResponse>route("Put"), call,
                    PutRequest.newBuilder().setInit(init).build());
            res.header(HeaderNames.ETAG, "\"" + r.getRef().getSha256() + "\"");
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(HttpGateway.json(r));
        } catch (ApiException e) {
            HttpGateway.error(res, e);
        }
    }

    private void head(ServerRequest req, ServerResponse res) {
        try {
            StatResponse r = HttpGateway.call(this.<StatRequest, StatResponse>route("Stat"), call(req),
                    StatRequest.newBuilder().setNamespace(ns(req)).setId(id(req)).build());
            if (!r.getFound()) {
                res.status(Status.NOT_FOUND_404).send();
                return;
            }
            headers(res, r.getMeta());
            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(r.getMeta().getSize()));
            res.send();
        } catch (ApiException e) {
            HttpGateway.status(res, e);
            res.send();
        }
    }

    private static void headers(ServerResponse res, ArtifactMeta meta) {
        res.header(HeaderNames.ETAG, "\"" + meta.getSha256() + "\"");
        res.header(HeaderNames.CONTENT_TYPE, meta.getContentType().isEmpty() ? "application/octet-stream" : meta.getContentType());
        res.header(HeaderNames.ACCEPT_RANGES, "bytes");
    }

    private void get(ServerRequest req, ServerResponse res) {
        var get = GetRequest.newBuilder().setNamespace(ns(req)).setId(id(req));
        Optional<String> range = range(req);
        long[] requested = {-1, -1};
        if (range.isPresent()) {
            Matcher m = RANGE.matcher(range.get().strip());
            if (!m.matches() || m.group(1).isEmpty()) {
                HttpGateway.error(res, ApiException.invalidArgument("Range must be bytes=FROM- or bytes=FROM-TO"));
                return;
            }
            requested[0] = Long.parseLong(m.group(1));
            get.setOffset(requested[0]);
            if (!m.group(2).isEmpty()) {
                requested[1] = Long.parseLong(m.group(2));
                if (requested[1] < requested[0]) {
                    HttpGateway.error(res, ApiException.invalidArgument("Range end before its start"));
                    return;
                }
                get.setLength(requested[1] - requested[0] + 1);
            }
        }
        OutputStream[] out = {null};
        try {
            this.<GetRequest, GetResponse>route("Get").handler().handle(call(req), get.build(), item -> {
                try {
                    if (item.hasHeader()) {
                        ArtifactMeta meta = item.getHeader().getMeta();
                        headers(res, meta);
                        if (range.isPresent()) {
                            long end = requested[1] < 0 ? meta.getSize() - 1 : Math.min(requested[1], meta.getSize() - 1);
                            res.status(Status.PARTIAL_CONTENT_206);
                            res.header(HeaderNames.CONTENT_RANGE, "bytes " + requested[0] + "-" + end + "/" + meta.getSize());
                            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(Math.max(0, end - requested[0] + 1)));
                        } else {
                            res.header(HeaderNames.CONTENT_LENGTH, Long.toString(meta.getSize()));
                        }
                        out[0] = res.outputStream();
                    } else {
                        item.getChunk().getData().writeTo(out[0]);
                    }
                } catch (IOException e) {
                    throw new ApiException(Code.CANCELLED, "client went away");
                }
            });
            if (out[0] != null) {
                out[0].close();
            }
        } catch (ApiException e) {
            if (out[0] == null) {
                HttpGateway.error(res, e);
            } else {
                try {
                    out[0].close(); // a short body: the client sees fewer bytes than Content-Length promised
                } catch (IOException ignored) {
                    // client gone
                }
            }
        } catch (IOException e) {
            // client gone
        }
    }

    /**
     * The Range header. Helidon 4.2.6's HPACK static table decodes "range" (entry 50) as
     * {@code HeaderNames.CONTENT_LOCATION} (whose own name is misspelled "aa"), so over HTTP/2 the
     * header arrives under that name. Content-Location is a response header, so a request that
     * carries it can only be that misdecoded Range.
     */
    private static Optional<String> range(ServerRequest req) {
        return req.headers().first(HeaderNames.RANGE).or(() -> req.headers().first(HeaderNames.CONTENT_LOCATION));
    }

    private void delete(ServerRequest req, ServerResponse res) {
        try {
            DeleteResponse r = HttpGateway.call(this.<DeleteRequest, DeleteResponse>route("Delete"), call(req),
                    DeleteRequest.newBuilder().setNamespace(ns(req)).setId(id(req)).build());
            res.header(HeaderNames.CONTENT_TYPE, "application/json");
            res.send(HttpGateway.json(r));
        } catch (ApiException e) {
            HttpGateway.error(res, e);
        }
    }
}
