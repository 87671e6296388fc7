package io.scaledapi.simulator;

import static io.scaledapi.simulator.SimPods.pod;
import static io.scaledapi.simulator.SimPods.view;
import static io.scaledapi.simulator.SimPods.warm;
import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The KPA against knative/serving's {@code pkg/autoscaler/scaling/autoscaler.go} ({@code Scale}, {@code New}) and
 * its queue-proxy, which counts a request when it arrives.
 */
class KpaPolicyTest {

    static SimulationConfig.Kpa config() {
        SimulationConfig.Kpa c = new SimulationConfig.Kpa();
        c.targetRequestsPerSecond = 600; // aim 420 per pod
        return c;
    }

    /** n ready pods, each serving {@code served} and seeing {@code factor} times that arrive, from t = 0 to now. */
    static Policy.FleetView fleet(int n, int now, double factor, double... rates) {
        List<Policy.SimPod> pods = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            pods.add(pod("p" + i, 0, -600, now, factor, rates));
        }
        return view(pods);
    }

    @Test
    void itScalesOnArrivalsNotOnWhatThePodsManagedToServe() {
        KpaPolicy kpa = new KpaPolicy(config(), 1, 100);
        int desired = 0;
        // Two pods serve 600 req/s each, but 1,200 arrive at each: 2,400 / 420 -> 6 pods (served would say 3).
        for (int t = 0; t <= 20; t += 2) {
            desired = kpa.decide(t, 2, fleet(2, t, 2.0, 600));
        }
        assertThat(desired).isEqualTo(6);
    }

    @Test
    void itAimsAtSeventyPercentOfTheTarget() {
        KpaPolicy kpa = new KpaPolicy(config(), 1, 100);
        int desired = 0;
        for (int t = 0; t <= 120; t += 2) {
            desired = kpa.decide(t, 1, fleet(1, t, 1.0, 600));
        }
        // 600 req/s on one pod: ceil(600 / 420) = 2, below the panic threshold (2 / 1 = 2 >= 2 starts panic, but
        // stable and panic agree at 2).
        assertThat(desired).isEqualTo(2);
    }

    @Test
    void createdWithMoreThanOneReadyPodItStartsInPanicAndHoldsForAStableWindow() {
        KpaPolicy kpa = new KpaPolicy(config(), 1, 100);
        assertThat(kpa.decide(0, 4, fleet(4, 0, 1.0, 10))).isEqualTo(4);
        assertThat(kpa.panicking()).isTrue();
        for (int t = 2; t <= 60; t += 2) {
            assertThat(kpa.decide(t, 4, fleet(4, t, 1.0, 10))).as("t=%d", t).isEqualTo(4);
        }
        // panicTime + stable window is before now: un-panic; then down by at most maxScaleDownRate (4 / 2).
        assertThat(kpa.decide(62, 4, fleet(4, 62, 1.0, 10))).isEqualTo(2);
        assertThat(kpa.panicking()).isFalse();

        KpaPolicy single = new KpaPolicy(config(), 1, 100);
        single.decide(0, 1, fleet(1, 0, 1.0, 10));
        assertThat(single.panicking()).isFalse();
    }

    @Test
    void inPanicItKeepsTheMostPodsItAskedForAndTakesTheLargerOfStableAndPanic() {
        KpaPolicy kpa = new KpaPolicy(config(), 1, 100);
        for (int t = 0; t <= 60; t += 2) {
            kpa.decide(t, 1, fleet(1, t, 1.0, 400));
        }
        // A surge to 2,500 req/s from t = 60: ceil(2500 / 420) = 6 over the panic window, 6 / 1 >= 2: panic.
        int desired = 0;
        for (int t = 62; t <= 70; t += 2) {
            desired = kpa.decide(t, 1, fleet(1, t, 1.0, 400, 60, 2500));
        }
        assertThat(kpa.panicking()).isTrue();
        assertThat(desired).isEqualTo(6);
        // It falls to 900 req/s: panic window says 3, the stable window less than 6; the ratchet keeps 6.
        for (int t = 72; t <= 90; t += 2) {
            desired = kpa.decide(t, 1, fleet(1, t, 1.0, 400, 60, 2500, 70, 900));
        }
        assertThat(desired).isEqualTo(6);
    }

    @Test
    void thePanicThresholdJudgesTheUnclampedCount() {
        SimulationConfig.Kpa c = config();
        c.maxScaleUpRate = 1.5; // 2 ready pods may go to 3 at most
        KpaPolicy kpa = new KpaPolicy(c, 1, 100);
        kpa.decide(0, 1, fleet(2, 0, 1.0, 100)); // two ready pods: starts in panic; let it end first
        for (int t = 2; t <= 64; t += 2) {
            kpa.decide(t, 2, fleet(2, t, 1.0, 100));
        }
        assertThat(kpa.panicking()).isFalse();
        // 2 x 1,000 req/s: ceil(2000 / 420) = 5 wanted, clamped to 3; 3 / 2 < 2 but 5 / 2 >= 2: panic.
        int desired = 0;
        for (int t = 66; t <= 72; t += 2) {
            desired = kpa.decide(t, 2, fleet(2, t, 1.0, 100, 64, 1000));
        }
        assertThat(desired).isEqualTo(3);
        assertThat(kpa.panicking()).isTrue();
    }

    @Test
    void onArrivalsItDoesNotFlapOnAStep() throws IOException {
        for (long seed = 1; seed <= 3; seed++) {
            PolicyReport kpa = Simulate.run(
                            Trace.read(SimulationTest.TRACES.resolve("step.csv")),
                            new SimulationConfig(),
                            seed,
                            List.of("kpa"))
                    .get("kpa");
            assertThat(kpa.reversals()).as("seed %d", seed).isLessThanOrEqualTo(2);
        }
    }

    @Test
    void podsNotReadyAreLeftOut() {
        KpaPolicy kpa = new KpaPolicy(config(), 1, 100);
        List<Policy.SimPod> pods = new ArrayList<>(warm(1, 0, 400));
        pods.add(pod("new", 0, 100, 0, 1, 400));
        kpa.decide(0, 2, view(pods));
        assertThat(kpa.panicking()).as("one ready pod: no start in panic").isFalse();
    }
}
