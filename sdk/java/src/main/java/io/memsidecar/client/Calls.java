package io.memsidecar.client;

import com.google.protobuf.ByteString;
import com.google.protobuf.Timestamp;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.Spliterator;
import java.util.Spliterators;
import java.util.function.Supplier;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;

/** What every block client shares: errors mapped to exceptions, and protobuf time and bytes. */
final class Calls {
    private Calls() {
    }

    static <T> T call(Supplier<T> call) {
        try {
            return call.get();
        } catch (StatusRuntimeException e) {
            throw MemSidecarException.of(e);
        }
    }

    /** A server stream as a Stream: items as they arrive, errors mapped, closing it early cancels the call. */
    static <P, T> Stream<T> stream(Supplier<Iterator<P>> start, java.util.function.Function<P, T> map) {
        var context = io.grpc.Context.current().withCancellation();
        io.grpc.Context previous = context.attach(); // the call is bound to the context it starts in
        Iterator<P> it;
        try {
            it = call(start);
        } finally {
            context.detach(previous);
        }
        boolean[] finished = {false};
        Iterator<T> mapped = new Iterator<>() {
            @Override
            public boolean hasNext() {
                boolean more = call(it::hasNext);
                finished[0] = !more;
                return more;
            }

            @Override
            public T next() {
                return map.apply(call(it::next));
            }
        };
        return StreamSupport.stream(Spliterators.spliteratorUnknownSize(mapped, Spliterator.ORDERED | Spliterator.NONNULL), false)
                .onClose(() -> {
                    // Only a call still running is cancelled: a RST_STREAM after the server's end of
                    // stream is legal HTTP/2, but Helidon answers it with GOAWAY (see README).
                    if (!finished[0]) {
                        context.cancel(null);
                    }
                });
    }

    static Instant instant(Timestamp t) {
        return Instant.ofEpochSecond(t.getSeconds(), t.getNanos());
    }

    /** An unset timestamp (0) as empty. */
    static Optional<Instant> optional(boolean has, Timestamp t) {
        return has && (t.getSeconds() != 0 || t.getNanos() != 0) ? Optional.of(instant(t)) : Optional.empty();
    }

    static Timestamp timestamp(Instant i) {
        return Timestamp.newBuilder().setSeconds(i.getEpochSecond()).setNanos(i.getNano()).build();
    }

    static com.google.protobuf.Duration duration(Duration d) {
        return com.google.protobuf.Duration.newBuilder().setSeconds(d.getSeconds()).setNanos(d.getNano()).build();
    }

    static byte[] bytes(ByteString b) {
        return b.toByteArray();
    }
}
