package io.memsidecar.semantic;

import io.memsidecar.semantic.spi.Hit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;

/**
 * Reciprocal rank fusion (spec §6.3): each id scores the sum over the lanes of
 * weight/(k + rank), ranks counted from 1; sorted by score descending, then id ascending. A
 * hybrid search weighs its two lanes alike with k = 60 and keeps the top {@code topK}; the
 * fused score is what a hybrid hit reports.
 */
public final class Rrf {
    public static final int K = 60;

    private Rrf() {
    }

    /** An id and its fused score. */
    public record Fused(String id, double score) {
    }

    public static List<Hit> fuse(List<List<Hit>> lanes, int topK) {
        var hits = new HashMap<String, Hit>();
        lanes.forEach(lane -> lane.forEach(h -> hits.putIfAbsent(h.record().id(), h)));
        double[] weights = new double[lanes.size()];
        Arrays.fill(weights, 1);
        return weighted(lanes.stream().map(lane -> lane.stream().map(h -> h.record().id()).toList()).toList(), weights, K)
                .stream().limit(topK).map(f -> new Hit(hits.get(f.id()).record(), (float) f.score())).toList();
    }

    /** Every id of the lanes (ids in rank order), best first; a lane of weight 0 adds nothing but its ids. */
    public static List<Fused> weighted(List<List<String>> lanes, double[] weights, int k) {
        var scores = new LinkedHashMap<String, Double>();
        for (int l = 0; l < lanes.size(); l++) {
            List<String> lane = lanes.get(l);
            for (int i = 0; i < lane.size(); i++) {
                scores.merge(lane.get(i), weights[l] / (k + i + 1.0), Double::sum);
            }
        }
        var fused = new ArrayList<Fused>(scores.size());
        scores.forEach((id, score) -> fused.add(new Fused(id, score)));
        fused.sort(Comparator.comparingDouble(Fused::score).reversed().thenComparing(Fused::id));
        return fused;
    }
}
