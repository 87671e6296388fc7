package io.scaledapi.operator.ticks;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.scaledapi.operator.TestResources;
import io.scaledapi.operator.metrics.PodTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScrapeTargetsTest {

    @Test
    void aPodOnTheHostsNetworkIsNeverScraped() {
        ScrapeTargets targets = ScrapeTargets.of(
                TestResources.minimal("catalog", 1, 3),
                List.of(readyPod("catalog-a", false, "198.18.0.7"), readyPod("catalog-b", true, "192.168.1.10")));
        assertThat(targets.targets()).extracting(PodTarget::name).containsExactly("catalog-a");
        assertThat(targets.withoutScrape()).as("not counted as a pod at all").isEmpty();
    }

    private static Pod readyPod(String name, boolean hostNetwork, String ip) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("team-a")
                .endMetadata()
                .withNewSpec()
                .withHostNetwork(hostNetwork)
                .addNewContainer()
                .withName("api")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPodIP(ip)
                .withStartTime("2026-12-01T10:00:00Z")
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .withLastTransitionTime("2026-12-01T10:00:30Z")
                .endCondition()
                .endStatus()
                .build();
    }
}
