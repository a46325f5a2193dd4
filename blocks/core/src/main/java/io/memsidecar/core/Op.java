package io.memsidecar.core;

/**
 * An operation of the op catalogue (spec §4), such as {@code kv.get}. {@code write} tells the
 * policy hook which side of the read/write split the call is on.
 */
public record Op(String block, String verb, boolean write) {
    public static Op read(String block, String verb) {
        return new Op(block, verb, false);
    }

    public static Op write(String block, String verb) {
        return new Op(block, verb, true);
    }

    /** The full op name, {@code block.verb}. */
    public String name() {
        return block + "." + verb;
    }
}
