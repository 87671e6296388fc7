package io.scaledapi.operator.owned;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import org.junit.jupiter.api.Test;

class StartupBoostTest {

    @Test
    void theCpuLimitIsRaisedByThePercentRoundedUpToAMillicoreAndNothingElseChanges() {
        ResourceRequirements steady = resources("100m", "64Mi", "250m", "128Mi");
        ResourceRequirements boosted = StartupBoost.boosted(steady, 33);
        assertThat(boosted.getLimits().get("cpu")).isEqualTo(new Quantity("333m")); // 332.5m
        assertThat(boosted.getLimits().get("memory")).isEqualTo(new Quantity("128Mi"));
        assertThat(boosted.getRequests()).isEqualTo(steady.getRequests());
        assertThat(StartupBoost.boosted(resources("100m", "64Mi", "1", "128Mi"), 300)
                        .getLimits()
                        .get("cpu"))
                .isEqualTo(new Quantity("4000m"));
        assertThat(steady.getLimits().get("cpu"))
                .as("the steady resources are left alone")
                .isEqualTo(new Quantity("250m"));
    }

    @Test
    void onlyBurstablePodsWithACpuLimitAndABoostAreBoosted() {
        assertThat(StartupBoost.whyNot(resources("100m", "64Mi", "200m", "128Mi"), 300))
                .isEmpty();
        // CPU request equal to its limit, memory below: still Burstable, so a resize keeps the QoS class.
        assertThat(StartupBoost.whyNot(resources("200m", "64Mi", "200m", "128Mi"), 300))
                .isEmpty();
        assertThat(StartupBoost.whyNot(resources("200m", "128Mi", "200m", "128Mi"), 300))
                .get()
                .asString()
                .contains("Guaranteed");
        assertThat(StartupBoost.whyNot(resources(null, null, "200m", "128Mi"), 300))
                .as("requests default to limits")
                .get()
                .asString()
                .contains("Guaranteed");
        assertThat(StartupBoost.whyNot(resources("100m", "64Mi", null, "128Mi"), 300))
                .get()
                .asString()
                .contains("no CPU limit");
        assertThat(StartupBoost.whyNot(resources("100m", "64Mi", "200m", "128Mi"), 0))
                .get()
                .asString()
                .contains("is 0");
    }

    private static ResourceRequirements resources(
            String cpuRequest, String memoryRequest, String cpuLimit, String memoryLimit) {
        ResourceRequirementsBuilder b = new ResourceRequirementsBuilder();
        if (cpuRequest != null) {
            b.addToRequests("cpu", new Quantity(cpuRequest));
        }
        if (memoryRequest != null) {
            b.addToRequests("memory", new Quantity(memoryRequest));
        }
        if (cpuLimit != null) {
            b.addToLimits("cpu", new Quantity(cpuLimit));
        }
        if (memoryLimit != null) {
            b.addToLimits("memory", new Quantity(memoryLimit));
        }
        return b.build();
    }
}
