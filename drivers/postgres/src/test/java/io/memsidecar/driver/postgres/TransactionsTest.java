package io.memsidecar.driver.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.SQLException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TransactionsTest {
    @RegisterExtension
    static final TestBackend DB = new TestBackend();

    /** The case of a missing pgvector: the pool closed the connection; the first error must survive. */
    @Test
    void aRollbackOnAClosedConnectionDoesNotMaskTheFailure() throws SQLException {
        var c = DB.backend().dataSourceForTests().getConnection();
        c.setAutoCommit(false);
        c.close();
        var failure = new IllegalStateException("extension \"vector\" is not available");
        Transactions.rollback(c, failure);
        assertThat(failure.getSuppressed()).singleElement()
                .satisfies(e -> assertThat(e).hasMessageContaining("closed"));
    }
}
