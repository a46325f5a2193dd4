package io.memsidecar.semantic;

import io.memsidecar.semantic.spi.Hit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reciprocal rank fusion (spec §6.3): each id scores the sum over the lanes of 1/(k + rank),
 * ranks counted from 1; sorted by score descending, then id ascending; the top {@code topK}
 * kept. The fused score is what a hybrid hit reports.
 */
public final class Rrf {
    public static final int K = 60;

    private Rrf() {
    }

    public static List<Hit> fuse(List<List<Hit>> lanes, int topK) {
        var scores = new LinkedHashMap<String, Double>();
        var records = new LinkedHashMap<String, Hit>();
        for (List<Hit> lane : lanes) {
            for (int i = 0; i < lane.size(); i++) {
                Hit h = lane.get(i);
                scores.merge(h.record().id(), 1.0 / (K + i + 1), Double::sum);
                records.putIfAbsent(h.record().id(), h);
            }
        }
        var fused = new ArrayList<Map.Entry<String, Double>>(scores.entrySet());
        fused.sort(Comparator.<Map.Entry<String, Double>>comparingDouble(Map.Entry::getValue).reversed()
                .thenComparing(Map.Entry::getKey));
        return fused.stream().limit(topK)
                .map(e -> new Hit(records.get(e.getKey()).record(), e.getValue().floatValue()))
                .toList();
    }
}
