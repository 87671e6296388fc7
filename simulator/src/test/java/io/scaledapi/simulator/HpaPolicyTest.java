package io.scaledapi.simulator;

import static io.scaledapi.simulator.SimPods.ingress;
import static io.scaledapi.simulator.SimPods.pod;
import static io.scaledapi.simulator.SimPods.view;
import static io.scaledapi.simulator.SimPods.warm;
import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The HPA against kubernetes' {@code pkg/controller/podautoscaler}: {@code replica_calculator.go}
 * ({@code calcPlainMetricReplicas}, {@code groupPods}, {@code GetObjectPerPodMetricReplicas}) and
 * {@code horizontal.go} (behaviors, and the legacy path for {@code behavior: nil}), fed by a prometheus-adapter rate.
 */
class HpaPolicyTest {

    static SimulationConfig.Hpa config() {
        SimulationConfig.Hpa c = new SimulationConfig.Hpa();
        c.targetRequestsPerSecond = 600;
        return c;
    }

    @Test
    void aNewPodHasNoValueUntilPrometheusScrapedItTwice() {
        HpaPolicy hpa = new HpaPolicy(config(), 1, 20, 1);
        Policy.SimPod pod = pod("new", 100, 120, 400, 1, 500);
        double offset = hpa.scrapeOffset("new");
        double firstScrape = offset + Math.ceil((120 - offset) / 15) * 15;
        if (firstScrape <= 120) {
            firstScrape += 15;
        }
        int justBefore = (int) Math.ceil(firstScrape + 15) - 1;
        assertThat(hpa.rate("new", 120, justBefore, pod.history())).isNull();
        assertThat(hpa.rate("new", 120, justBefore + 1, pod.history()))
                .isCloseTo(500, org.assertj.core.data.Offset.offset(40.0));
    }

    @Test
    void theAdapterRateTrailsAJumpByItsWindow() {
        SimulationConfig.Hpa twoMinutes = config();
        SimulationConfig.Hpa oneMinute = config();
        oneMinute.rateWindowSeconds = 60;
        Policy.SimPod pod = warm(1, 300, 300, 270, 900).get(0);
        double slow = new HpaPolicy(twoMinutes, 1, 20, 1).rate("p0", 0, 300, pod.history());
        double fast = new HpaPolicy(oneMinute, 1, 20, 1).rate("p0", 0, 300, pod.history());
        assertThat(slow).isBetween(300.0, 900.0);
        assertThat(fast).isGreaterThan(slow).isLessThan(900);
    }

    @Test
    void onAScaleDownMissingPodsCountAsTheTarget() {
        List<Policy.SimPod> pods = new ArrayList<>(warm(3, 600, 300)); // half the target each
        pods.add(pod("new", 590, 595, 600, 1, 300)); // ready, but not yet scraped twice
        // Without it: ceil(0.5 x 3) = 2. With it at the target: (900 + 600) / 4 / 600 = 0.625 -> ceil(2.5) = 3.
        assertThat(new HpaPolicy(config(), 1, 20, 1).decide(600, 4, view(pods))).isEqualTo(3);
    }

    @Test
    void onAScaleUpMissingPodsCountAsZeroAndAFlipMeansNoChange() {
        List<Policy.SimPod> pods = new ArrayList<>(warm(3, 600, 720)); // 1.2 x the target
        pods.add(pod("new", 590, 595, 600, 1, 720));
        // 2,160 / 4 / 600 = 0.9: the direction flips, so the HPA keeps 4 (without the missing pod: ceil(3.6) = 4
        // too, so ask with 3 replicas to see the difference).
        assertThat(new HpaPolicy(config(), 1, 20, 1).decide(600, 3, view(pods))).isEqualTo(3);
        List<Policy.SimPod> scraped = warm(3, 600, 720);
        assertThat(new HpaPolicy(config(), 1, 20, 1).decide(600, 3, view(scraped)))
                .isEqualTo(4);
    }

    @Test
    void forANonCpuMetricOnlyPendingPodsAreUnready() {
        List<Policy.SimPod> pods = new ArrayList<>(warm(3, 600, 300));
        pods.add(pod("pending", 599, 620, 600, 1, 300)); // created a second ago: Pending
        // Pending pods are left out of a scale-down: ceil(0.5 x 3) = 2 (as missing it would be 3).
        assertThat(new HpaPolicy(config(), 1, 20, 1).decide(600, 4, view(pods))).isEqualTo(2);
    }

    @Test
    void withinTheToleranceItHoldsAndItWaitsItsDownWindowToScaleDown() {
        HpaPolicy hpa = new HpaPolicy(config(), 1, 20, 1);
        assertThat(hpa.decide(300, 4, view(warm(4, 300, 630)))).isEqualTo(4); // 1.05: within 0.1
        HpaPolicy down = new HpaPolicy(config(), 1, 20, 1);
        assertThat(down.decide(300, 4, view(warm(4, 300, 600)))).isEqualTo(4);
        assertThat(down.decide(540, 4, view(warm(4, 540, 600, 300, 300)))).isEqualTo(4); // 2 wanted; 4 within 300 s
        assertThat(down.decide(615, 4, view(warm(4, 615, 600, 300, 300)))).isEqualTo(2);
    }

    @Test
    void theDefaultBehaviorAddsFourPodsOrDoublesAndTheLegacyOneAtMostDoublesOrFour() {
        List<Policy.SimPod> pods = warm(2, 300, 6000); // 10 x the target: 20 wanted
        assertThat(new HpaPolicy(config(), 1, 100, 1).decide(300, 2, view(pods)))
                .isEqualTo(6); // max(2 + 4, 2 x 2)
        SimulationConfig.Hpa legacy = config();
        legacy.behavior = "legacy";
        assertThat(new HpaPolicy(legacy, 1, 100, 1).decide(300, 2, view(pods))).isEqualTo(4); // max(2 x 2, 4)
        assertThat(new HpaPolicy(legacy, 1, 100, 1).decide(300, 5, view(warm(5, 300, 6000))))
                .isEqualTo(10);
    }

    @Test
    void theLegacyPathHasNoDownRateLimit() {
        SimulationConfig.Hpa legacy = config();
        legacy.behavior = "legacy";
        legacy.downStabilizationSeconds = 60;
        legacy.downMaxPercent = 10; // ignored without behaviors
        HpaPolicy hpa = new HpaPolicy(legacy, 1, 100, 1);
        assertThat(hpa.decide(300, 10, view(warm(10, 300, 60)))).isEqualTo(1);
        SimulationConfig.Hpa limited = config();
        limited.downStabilizationSeconds = 60;
        limited.downMaxPercent = 10;
        assertThat(new HpaPolicy(limited, 1, 100, 1).decide(300, 10, view(warm(10, 300, 60))))
                .isEqualTo(9);
    }

    @Test
    void anObjectMetricOnArrivalsSeesWhatThePodsCouldNotServe() {
        SimulationConfig.Hpa object = config();
        object.metric = "object";
        // Two pods serve 600 req/s each; 2,400 arrive at the ingress: ceil(2400 / 600) = 4.
        Policy.FleetView fleet = new Policy.FleetView(warm(2, 300, 600), ingress(300, 2400));
        assertThat(new HpaPolicy(object, 1, 20, 1).decide(300, 2, fleet)).isEqualTo(4);
        assertThat(new HpaPolicy(config(), 1, 20, 1).decide(300, 2, fleet)).isEqualTo(2);
    }

    @Test
    void eachSeedSyncsAtAPhaseOfItsOwn() {
        Set<Double> phases = new HashSet<>();
        for (long seed = 1; seed <= 5; seed++) {
            double phase = new HpaPolicy(config(), 1, 20, seed).phaseSeconds();
            assertThat(phase).isBetween(0.0, 15.0);
            phases.add(phase);
        }
        assertThat(phases).hasSize(5);
    }

    @Test
    void withoutAnyValueItSkipsTheSync() {
        HpaPolicy hpa = new HpaPolicy(config(), 1, 20, 1);
        assertThat(hpa.decide(5, 3, view(warm(3, 5, 5000)))).isEqualTo(3);
    }
}
