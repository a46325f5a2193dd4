package io.memsidecar.server.observe;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessLogTest {
    /** An stderr that hangs until released, keeping what it was given. */
    private static final class StuckStream extends OutputStream {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final ByteArrayOutputStream kept = new ByteArrayOutputStream();

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            synchronized (kept) {
                kept.write(b, off, len);
            }
        }

        long lines() {
            synchronized (kept) {
                return kept.toString(StandardCharsets.UTF_8).lines().count();
            }
        }
    }

    @Test
    void aStuckWriterNeverBlocksACallAndDropsAndCountsWhatDoesNotFit() throws Exception {
        var out = new StuckStream();
        var log = new AccessLog(out, 8);
        log.add("{\"n\":0}");
        Thread.ofVirtual().start(log::flush); // the writer takes the first line and hangs in write
        assertThat(out.entered.await(10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i <= 100; i++) {
            log.add("{\"n\":" + i + "}"); // would hang here if a call waited for the writer
        }
        assertThat(log.dropped()).isEqualTo(92); // 8 queued behind the stuck write
        out.release.countDown();
        log.flush();
        assertThat(out.lines()).isEqualTo(9);
        assertThat(out.lines() + log.dropped()).isEqualTo(101);
    }

    @Test
    void linesAreJsonWithTheirFieldsEscaped() {
        String line = new AccessLog.Line(false).field("method", "/memsidecar.kv.v1.KV/Get").field("tenant", "a\"b\\c\nd\u0001")
                .number("duration_ms", 1.5).end();
        assertThat(line).startsWith("{\"time\":\"").contains("\"level\":\"WARN\"", "\"logger\":\"memsidecar.access\"",
                "\"msg\":\"rpc\"", "\"tenant\":\"a\\\"b\\\\c\\nd\\u0001\"", "\"duration_ms\":1.5").endsWith("}");
    }

    @Test
    void samplingKeepsEveryFailureAndAFractionOfSuccesses() {
        var log = new AccessLog(OutputStream.nullOutputStream(), 8);
        log.configure(true, true, 0.25);
        int ok = 0;
        for (int i = 0; i < 10_000; i++) {
            ok += log.wants(true) ? 1 : 0;
            assertThat(log.wants(false)).isTrue();
        }
        assertThat(ok).isBetween(2000, 3000);
        log.configure(false, true, 1.0);
        assertThat(log.wants(false)).isFalse();
        log.configure(true, false, 1.0); // logging.level warn: failures only
        assertThat(log.wants(true)).isFalse();
        assertThat(log.wants(false)).isTrue();
    }
}
