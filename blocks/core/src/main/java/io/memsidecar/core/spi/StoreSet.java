package io.memsidecar.core.spi;

import java.util.Map;
import java.util.Optional;

/** The stores one backend offers, by SPI type: what {@link Backend#store(Class)} answers from. */
public final class StoreSet {
    private final Map<Class<?>, Object> stores;

    public StoreSet(Map<Class<?>, Object> stores) {
        stores.forEach((spi, store) -> {
            if (!spi.isInstance(store)) {
                throw new IllegalArgumentException(store.getClass() + " does not implement " + spi);
            }
        });
        this.stores = Map.copyOf(stores);
    }

    public <T> Optional<T> get(Class<T> spi) {
        return Optional.ofNullable(stores.get(spi)).map(spi::cast);
    }
}
