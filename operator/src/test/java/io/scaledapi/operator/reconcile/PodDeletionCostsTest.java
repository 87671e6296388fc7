package io.scaledapi.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class PodDeletionCostsTest {

    @Test
    void aPodCostsWhatItsOwnCacheAnsweredAndAnUnmeasuredOneNothing() {
        List<Pod> pods = List.of(pod("warm"), pod("lukewarm"), pod("new"));
        Map<String, Integer> costs = PodDeletionCosts.of(pods, Map.of("warm", 812.4, "lukewarm", 96.6, "gone", 500.0));
        assertThat(costs).containsExactly(Map.entry("warm", 812), Map.entry("lukewarm", 97), Map.entry("new", 0));
    }

    @Test
    void garbageRatesCostNothingAndHugeOnesStayWithinAnInt() {
        Map<String, Integer> costs = PodDeletionCosts.of(
                List.of(pod("a"), pod("b"), pod("c")), Map.of("a", Double.NaN, "b", -3.0, "c", 1e12));
        assertThat(costs).containsExactly(Map.entry("a", 0), Map.entry("b", 0), Map.entry("c", Integer.MAX_VALUE));
    }

    private static Pod pod(String name) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("ns")
                .endMetadata()
                .build();
    }
}
