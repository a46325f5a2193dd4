package io.memsidecar.core.spi;

import java.util.Optional;

/** A backend that is only its stores, a readiness check and a close action. */
public final class StoreBackend implements Backend {
    private final String name;
    private final String driver;
    private final StoreSet stores;
    private final Runnable check;
    private final Runnable close;

    public StoreBackend(String name, String driver, StoreSet stores, Runnable check, Runnable close) {
        this.name = name;
        this.driver = driver;
        this.stores = stores;
        this.check = check;
        this.close = close;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String driver() {
        return driver;
    }

    @Override
    public <T> Optional<T> store(Class<T> spi) {
        return stores.get(spi);
    }

    @Override
    public void check() {
        check.run();
    }

    @Override
    public void close() {
        close.run();
    }
}
