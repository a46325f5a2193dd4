package io.memsidecar.server.transport;

import com.google.protobuf.Message;
import io.helidon.http.HeaderNames;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.memsidecar.core.ApiException;
import io.memsidecar.core.Route;
import io.memsidecar.core.RoutingTable;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * What the JSON curl routes of a block share: one service's filtered unary routes called with the
 * request's capability header, JSON answers, and errors as google.rpc.Status JSON.
 */
public final class CurlCalls {
    private final RoutingTable table;
    private final String service;
    private final Bodies bodies;

    CurlCalls(RoutingTable table, String service, Bodies bodies) {
        this.table = table;
        this.service = service;
        this.bodies = bodies;
    }

    /** The request body, within the limit. */
    byte[] body(ServerRequest req) {
        return bodies.read(req);
    }

    /** A Helidon handler whose ApiExceptions become the spec §9 status with a Status body. */
    static Handler handler(Handler action) {
        return (req, res) -> {
            try {
                action.handle(req, res);
            } catch (ApiException e) {
                HttpGateway.error(res, e);
            }
        };
    }

    @SuppressWarnings("unchecked")
    <Q extends Message, R extends Message> R unary(String method, ServerRequest req, Q request) {
        var route = (Route<Q, R>) table.route(service + "/" + method).orElseThrow();
        return HttpGateway.call(route, HttpGateway.call(req, "curl", () -> false), request);
    }

    static void json(ServerResponse res, Message message) {
        res.header(HeaderNames.CONTENT_TYPE, "application/json");
        res.send(HttpGateway.json(message).getBytes(StandardCharsets.UTF_8));
    }

    /** A DELETE's answer: 204 when something was deleted, else 404 "{what} not found". */
    static void noContentOrNotFound(ServerResponse res, boolean existed, String what) {
        if (!existed) {
            throw ApiException.notFound(what + " not found");
        }
        res.status(Status.NO_CONTENT_204).send();
    }

    static String param(ServerRequest req, String name) {
        return req.path().pathParameters().get(name);
    }

    /** A non-negative integer query parameter, 0 when absent. */
    static int unsigned(ServerRequest req, String name) {
        String value = req.query().first(name).orElse("0");
        try {
            return Integer.parseUnsignedInt(value);
        } catch (NumberFormatException e) {
            throw ApiException.invalidArgument(name + " must be a non-negative integer, got \"" + value + "\"");
        }
    }

    /** A repeated query parameter whose values may also be comma-separated ({@code type=a,b&type=c}). */
    static List<String> list(ServerRequest req, String name) {
        var out = new ArrayList<String>();
        for (String value : req.query().all(name, List::of)) {
            for (String part : value.split(",")) {
                if (!part.isEmpty()) {
                    out.add(part);
                }
            }
        }
        return out;
    }
}
