package io.memsidecar.tests;

import com.google.protobuf.Message;
import com.google.protobuf.util.JsonFormat;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.memsidecar.core.Code;
import io.memsidecar.proto.kv.v1.DeleteRequest;
import io.memsidecar.proto.kv.v1.DeleteResponse;
import io.memsidecar.proto.kv.v1.GetRequest;
import io.memsidecar.proto.kv.v1.GetResponse;
import io.memsidecar.proto.kv.v1.KVItem;
import io.memsidecar.proto.kv.v1.PutRequest;
import io.memsidecar.proto.kv.v1.PutResponse;
import io.memsidecar.proto.kv.v1.ScanRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;

/**
 * The same KV calls over each transport, so one scenario runs against all of them. A failed call
 * throws {@link Failure} carrying the gRPC code (and, over HTTP, the HTTP status).
 */
interface KvClient extends AutoCloseable {
    GetResponse get(GetRequest r);

    PutResponse put(PutRequest r);

    DeleteResponse delete(DeleteRequest r);

    List<KVItem> scan(ScanRequest r);

    @Override
    void close();

    record Failure(Code code, int httpStatus, String message) {
    }

    final class CallFailed extends RuntimeException {
        final Failure failure;

        CallFailed(Failure failure) {
            super(failure.code() + " (" + failure.httpStatus() + "): " + failure.message());
            this.failure = failure;
        }
    }

    static KvClient grpc(ManagedChannel channel, String token) {
        var stub = TestServer.kv(channel, token);
        return new KvClient() {
            private <T> T call(java.util.function.Supplier<T> s) {
                try {
                    return s.get();
                } catch (StatusRuntimeException e) {
                    throw new CallFailed(new Failure(Code.values()[e.getStatus().getCode().value()], -1,
                            e.getStatus().getDescription()));
                }
            }

            public GetResponse get(GetRequest r) {
                return call(() -> stub.get(r));
            }

            public PutResponse put(PutRequest r) {
                return call(() -> stub.put(r));
            }

            public DeleteResponse delete(DeleteRequest r) {
                return call(() -> stub.delete(r));
            }

            public List<KVItem> scan(ScanRequest r) {
                return call(() -> {
                    var out = new ArrayList<KVItem>();
                    stub.scan(r).forEachRemaining(out::add);
                    return out;
                });
            }

            public void close() {
                channel.shutdownNow();
            }
        };
    }

    static KvClient gateway(int port, String token) {
        var http = HttpClient.newHttpClient();
        return new KvClient() {
            private String post(String method, Message body) {
                try {
                    var req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/memsidecar.kv.v1.KV/" + method))
                            .POST(HttpRequest.BodyPublishers.ofString(JsonFormat.printer().print(body)));
                    if (token != null) {
                        req.header("x-memsidecar-capability", "Bearer " + token);
                    }
                    HttpResponse<String> res = http.send(req.build(), HttpResponse.BodyHandlers.ofString());
                    String text = res.body();
                    if (res.statusCode() != 200) {
                        String status = text.startsWith("{\"error\":") ? text.substring(9, text.length() - 1) : text;
                        throw failed(status, res.statusCode());
                    }
                    return text;
                } catch (java.io.IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }

            private CallFailed failed(String statusJson, int httpStatus) {
                var node = Json.parse(statusJson);
                return new CallFailed(new Failure(Code.values()[node.get("code").asInt()], httpStatus,
                        node.get("message").asText()));
            }

            private <T extends Message.Builder> T merge(String json, T builder) {
                try {
                    JsonFormat.parser().merge(json, builder);
                    return builder;
                } catch (Exception e) {
                    throw new IllegalStateException("bad JSON from gateway: " + json, e);
                }
            }

            public GetResponse get(GetRequest r) {
                return merge(post("Get", r), GetResponse.newBuilder()).build();
            }

            public PutResponse put(PutRequest r) {
                return merge(post("Put", r), PutResponse.newBuilder()).build();
            }

            public DeleteResponse delete(DeleteRequest r) {
                return merge(post("Delete", r), DeleteResponse.newBuilder()).build();
            }

            public List<KVItem> scan(ScanRequest r) {
                var out = new ArrayList<KVItem>();
                for (String line : post("Scan", r).split("\n")) {
                    if (line.isBlank()) {
                        continue;
                    }
                    var node = Json.parse(line);
                    if (node.has("error")) {
                        throw failed(node.get("error").toString(), 200);
                    }
                    out.add(merge(node.get("result").toString(), KVItem.newBuilder()).build());
                }
                return out;
            }

            public void close() {
                http.close();
            }
        };
    }
}
