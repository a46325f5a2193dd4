package io.memsidecar.core;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import org.junit.jupiter.api.Test;

class DeadlineTest {
    @Test
    void workCarriedToAnotherThreadRunsUnderTheCallsDeadline() throws Exception {
        try (var threads = Executors.newVirtualThreadPerTaskExecutor();
             var bound = Deadline.bind(System.nanoTime() + 5_000_000_000L, Long.MAX_VALUE)) {
            long here = Deadline.budgetNanos();
            assertThat(here).isBetween(1_000_000_000L, 5_000_000_000L);
            assertThat(CompletableFuture.supplyAsync(Deadline::budgetNanos, threads).get())
                    .as("a plain task has no deadline").isEqualTo(Long.MAX_VALUE);
            var carried = Deadline.carried(Deadline::budgetNanos);
            assertThat(CompletableFuture.supplyAsync(carried, threads).get()).isBetween(1_000_000_000L, here);
        }
        assertThat(Deadline.budgetNanos()).isEqualTo(Long.MAX_VALUE);
    }
}
