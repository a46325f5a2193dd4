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

    /** The form exact search compares: a unit-length copy for cosine, the vector itself otherwise. */
    public float[] prepare(float[] v) {
        if (this != COSINE) {
            return v;
        }
        double n = 0;
        for (float f : v) {
            n += (double) f * f;
        }
        var unit = new float[v.length];
        if (n > 0) {
            double inv = 1 / Math.sqrt(n);
            for (int i = 0; i < v.length; i++) {
                unit[i] = (float) (v[i] * inv);
            }
        }
        return unit;
    }

    /** {@link #score} of two {@link #prepare prepared} vectors: one pass, four independent sums. */
    public float scorePrepared(float[] a, float[] b) {
        float s0 = 0;
        float s1 = 0;
        float s2 = 0;
        float s3 = 0;
        int i = 0;
        int n = a.length & ~3;
        if (this == L2) {
            for (; i < n; i += 4) {
                float d0 = a[i] - b[i];
                float d1 = a[i + 1] - b[i + 1];
                float d2 = a[i + 2] - b[i + 2];
                float d3 = a[i + 3] - b[i + 3];
                s0 += d0 * d0;
                s1 += d1 * d1;
                s2 += d2 * d2;
                s3 += d3 * d3;
            }
            for (; i < a.length; i++) {
                float d = a[i] - b[i];
                s0 += d * d;
            }
            return (float) -Math.sqrt(s0 + s1 + s2 + s3);
        }
        for (; i < n; i += 4) {
            s0 += a[i] * b[i];
            s1 += a[i + 1] * b[i + 1];
            s2 += a[i + 2] * b[i + 2];
            s3 += a[i + 3] * b[i + 3];
        }
        for (; i < a.length; i++) {
            s0 += a[i] * b[i];
        }
        float dot = s0 + s1 + s2 + s3;
        return this == COSINE ? Math.max(-1f, Math.min(1f, dot)) : dot;
    }
}
