package io.memsidecar.semantic.spi;

/**
 * How vectors are compared, and the score a hit reports (higher is always better).
 * {@link #COSINE} is the contract's default: the score is cosine similarity in [-1, 1].
 */
public enum Distance {
    /** score = cosine similarity = 1 − cosine distance. */
    COSINE("cosine", "vector_cosine_ops", "<=>"),
    /** score = dot product (for vectors the embedder already normalises). */
    INNER_PRODUCT("inner_product", "vector_ip_ops", "<#>"),
    /** score = −euclidean distance. */
    L2("l2", "vector_l2_ops", "<->");

    private final String configName;
    private final String pgOpclass;
    private final String pgOperator;

    Distance(String configName, String pgOpclass, String pgOperator) {
        this.configName = configName;
        this.pgOpclass = pgOpclass;
        this.pgOperator = pgOperator;
    }

    public String configName() {
        return configName;
    }

    public String pgOpclass() {
        return pgOpclass;
    }

    public String pgOperator() {
        return pgOperator;
    }

    public static Distance parse(String name) {
        for (Distance d : values()) {
            if (d.configName.equals(name)) {
                return d;
            }
        }
        throw new IllegalArgumentException("unknown distance \"" + name + "\" (cosine, inner_product or l2)");
    }

    /** The score of two vectors: what an exact search ranks by and what a hit reports. */
    public float score(float[] a, float[] b) {
        double dot = 0;
        double na = 0;
        double nb = 0;
        double l2 = 0;
        for (int i = 0; i < a.length; i++) {
            dot += (double) a[i] * b[i];
            na += (double) a[i] * a[i];
            nb += (double) b[i] * b[i];
            double d = (double) a[i] - b[i];
            l2 += d * d;
        }
        return switch (this) {
            case COSINE -> na == 0 || nb == 0 ? 0f : (float) Math.max(-1, Math.min(1, dot / Math.sqrt(na * nb)));
            case INNER_PRODUCT -> (float) dot;
            case L2 -> (float) -Math.sqrt(l2);
        };
    }
}
