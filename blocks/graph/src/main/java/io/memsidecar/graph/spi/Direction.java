package io.memsidecar.graph.spi;

/** Which incident edges of a node a walk follows: outgoing, incoming, or both. */
public enum Direction {
    OUT, IN, BOTH;

    public boolean out() {
        return this != IN;
    }

    public boolean in() {
        return this != OUT;
    }
}
