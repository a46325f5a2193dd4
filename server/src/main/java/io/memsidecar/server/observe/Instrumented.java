package io.memsidecar.server.observe;

import io.micrometer.core.instrument.Timer;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Scope;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Wraps a driver's store (or an embedder) behind its SPI interface: every call is timed into
 * {@code memsidecar.backend.duration} (block, op = the SPI method, namespace) and, when tracing
 * is on, becomes a child span of the call's server span ({@code db.system} = the driver, the
 * operation name; never arguments or values). Blocks and drivers know nothing of it.
 */
public final class Instrumented {
    private Instrumented() {
    }

    /** {@code store} behind {@code spi}, measured for {@code block}/{@code namespace} on {@code driver}. */
    public static <T> T store(Class<T> spi, T store, String block, String namespace, String driver, Telemetry telemetry) {
        boolean metrics = telemetry.metrics();
        if (!metrics && !telemetry.tracing()) {
            return store;
        }
        var timers = new ConcurrentHashMap<Method, Timer>();
        InvocationHandler handler = (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || method.getName().startsWith("await")) {
                return invoke(method, store, args); // waiting for a signal is not driver work
            }
            long start = System.nanoTime();
            // a child only of a sampled call: an unsampled or absent parent (a sweeper) gets none
            Span span = telemetry.tracing() && Span.current().isRecording() ? telemetry.tracer().spanBuilder(block + "." + method.getName())
                    .setSpanKind(SpanKind.CLIENT).setAttribute("db.system", driver)
                    .setAttribute("db.operation.name", method.getName())
                    .setAttribute("memsidecar.namespace", block + "/" + namespace).startSpan() : Span.getInvalid();
            try (Scope ignored = span.makeCurrent()) {
                return invoke(method, store, args);
            } catch (RuntimeException e) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                span.end();
                if (metrics) {
                    timers.computeIfAbsent(method, m -> Timer.builder("memsidecar.backend.duration")
                                    .description("time spent in the driver").tags("block", block, "op", m.getName(),
                                            "namespace", namespace).register(telemetry.registry()))
                            .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
                }
            }
        };
        return spi.cast(Proxy.newProxyInstance(spi.getClassLoader(), new Class<?>[] {spi}, handler));
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /** An embedder's provider calls as spans (the provider, the model); no metric. */
    public static <T> T embedder(Class<T> spi, T embedder, String provider, String model, Telemetry telemetry) {
        if (!telemetry.tracing()) {
            return embedder;
        }
        return spi.cast(Proxy.newProxyInstance(spi.getClassLoader(), new Class<?>[] {spi}, (proxy, method, args) -> {
            if (method.getDeclaringClass() == Object.class || !method.getName().equals("embed")) {
                return invoke(method, embedder, args);
            }
            Span span = telemetry.tracer().spanBuilder("embedder.embed").setSpanKind(SpanKind.CLIENT)
                    .setAttribute("memsidecar.embedder.provider", provider)
                    .setAttribute("memsidecar.embedder.model", model).startSpan();
            try (Scope ignored = span.makeCurrent()) {
                return invoke(method, embedder, args);
            } catch (RuntimeException e) {
                span.setStatus(StatusCode.ERROR, e.getClass().getSimpleName());
                throw e;
            } finally {
                span.end();
            }
        }));
    }
}
