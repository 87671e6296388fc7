package io.scaledapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The trace format, determinism, and the fleet model's fidelity: cache warm-up, response times, per-pod harm. */
class SimulationTest {

    static final Path TRACES = Path.of("traces");
    static final List<String> ALL = List.of("scaledapi", "hpa", "kpa");

    @Test
    void tracesInterpolateAndMarkSteps() {
        Trace trace = Trace.parse("t", """
                # initialReplicas: 2
                # stationary: true
                seconds,rps
                0,100
                10,110
                20,110
                20,1000
                40,1000
                """);
        assertThat(trace.seconds()).isEqualTo(40);
        assertThat(trace.rateAt(5)).isEqualTo(105);
        assertThat(trace.rateAt(19)).isEqualTo(110);
        assertThat(trace.rateAt(20)).isEqualTo(1000);
        assertThat(trace.initialReplicas()).isEqualTo(2);
        assertThat(trace.stationary()).isTrue();
        assertThat(trace.steps()).containsExactly(20);
        assertThatThrownBy(() -> Trace.parse("bad", "0,100\nten,200\n")).hasMessageContaining("bad line 2");
        assertThatThrownBy(() -> Trace.parse("bad", "0,100\n")).hasMessageContaining("at least two rows");
    }

    @Test
    void theSameSeedGivesTheSameReport() throws IOException {
        Trace trace = Trace.read(TRACES.resolve("flash-crowd.csv"));
        var first = Simulate.run(trace, new SimulationConfig(), 42, ALL);
        var again = Simulate.run(trace, new SimulationConfig(), 42, ALL);
        var other = Simulate.run(trace, new SimulationConfig(), 43, ALL);
        assertThat(again).isEqualTo(first);
        assertThat(other.get("hpa").failedRequests())
                .isNotEqualTo(first.get("hpa").failedRequests());
    }

    // --- the cache: warm-up follows the keys' popularity

    @Test
    void aWarmCacheHitsAsATtlCacheDoesForEachKey() {
        KeyPopularity keys = new KeyPopularity(60_000, 1.2, 60);
        // Direct: a key requested at rate l hits l T / (1 + l T) of the time; weighted by its popularity.
        double norm = 0;
        for (int r = 1; r <= 60_000; r++) {
            norm += Math.pow(r, -1.2);
        }
        for (double rate : new double[] {50, 600, 3000}) {
            double direct = 0;
            for (int r = 1; r <= 60_000; r++) {
                double p = Math.pow(r, -1.2) / norm;
                double lt = rate * p * 60;
                direct += p * lt / (1 + lt);
            }
            assertThat(keys.steadyHitRatio(rate))
                    .as("at %s req/s", rate)
                    .isCloseTo(direct, org.assertj.core.data.Offset.offset(0.01));
        }
    }

    @Test
    void aNewPodWarmsAsFastAsItsKeysRecurNotOverTheTtl() {
        KeyPopularity keys = new KeyPopularity(60_000, 1.2, 60);
        double[] cache = keys.emptyCache();
        assertThat(keys.hitRatio(cache)).isZero();
        double first = keys.serve(cache, 500, 1);
        for (int s = 1; s < 5; s++) {
            keys.serve(cache, 500, 1);
        }
        double afterFive = keys.hitRatio(cache);
        // The hottest keys recur within the first second; the linear ramp would be at 5/60 of warm.
        assertThat(first).isGreaterThan(0.3);
        assertThat(afterFive).isGreaterThan(0.6).isGreaterThan(10 * 0.87 * 5 / 60);
        for (int s = 5; s < 300; s++) {
            keys.serve(cache, 500, 1);
        }
        assertThat(keys.hitRatio(cache)).isCloseTo(keys.steadyHitRatio(500), org.assertj.core.data.Offset.offset(0.01));
        // A pod that gets no traffic forgets its keys over the TTL.
        for (int s = 0; s < 600; s++) {
            keys.serve(cache, 0, 1);
        }
        assertThat(keys.hitRatio(cache)).isLessThan(0.01);
    }

    // --- response times: closed forms that agree with samples

    @Test
    void responseTimesTailMeanAndVarianceAgreeWithSamples() {
        ResponseTimes times = ResponseTimes.of(4, 700, 0.85, 0.002, 0.025, 0.010);
        java.util.Random random = new java.util.Random(7);
        int n = 400_000;
        double[] draws = new double[n];
        double sum = 0;
        for (int i = 0; i < n; i++) {
            draws[i] = times.draw(random);
            sum += draws[i];
        }
        double mean = sum / n;
        double squares = 0;
        int over30 = 0;
        int over60 = 0;
        for (double d : draws) {
            squares += (d - mean) * (d - mean);
            over30 += d > 0.030 ? 1 : 0;
            over60 += d > 0.060 ? 1 : 0;
        }
        assertThat(times.mean()).isCloseTo(mean, org.assertj.core.data.Offset.offset(mean * 0.01));
        assertThat(times.variance()).isCloseTo(squares / n, org.assertj.core.data.Offset.offset(squares / n * 0.03));
        assertThat(times.slowerThan(0.030)).isCloseTo(over30 / (double) n, org.assertj.core.data.Offset.offset(0.003));
        assertThat(times.slowerThan(0.060)).isCloseTo(over60 / (double) n, org.assertj.core.data.Offset.offset(0.003));
        assertThat(times.slowerThan(0.005)).as("all wait behind the backlog").isEqualTo(1);
    }

    // --- harm is counted per pod

    /** A policy that adds one pod at second {@code at} and otherwise keeps what it has. */
    static Policy addsOnePodAt(int at) {
        return new Policy() {
            public String name() {
                return "scripted";
            }

            public double periodSeconds() {
                return 1;
            }

            public int decide(int now, int current, FleetView fleet) {
                return now == at ? current + 1 : current;
            }
        };
    }

    @Test
    void aColdPodChokesWhileTheFleetTotalLooksFine() {
        Trace steady = Trace.parse("steady", "# initialReplicas: 3\n0,1800\n240,1800\n");
        SimulationConfig.Fleet fleet = new SimulationConfig().fleet;
        fleet.cacheWarmup = "linear"; // the pessimistic warm-up: a new pod starts at 0 % hits
        FleetSimulator simulator = new FleetSimulator(fleet, steady, 1);
        PolicyReport held = simulator.run(addsOnePodAt(-1));
        PolicyReport added = simulator.run(addsOnePodAt(30));
        assertThat(held.badSeconds()).isZero();
        // The new pod gets a quarter of the load (450 req/s) at a cold pod's ~160 req/s: it chokes, and its
        // requests make the fleet's seconds bad although four pods are more than the three that were enough.
        assertThat(added.stepResponses()).isEmpty();
        assertThat(added.badSeconds()).isGreaterThan(20);
        assertThat(added.failedRequests()).isPositive();
        assertThat(added.replicaSeconds()).isGreaterThan(held.replicaSeconds());
    }

    @Test
    void withKeyPopularityTheSameNewPodWarmsBeforeItChokes() {
        Trace steady = Trace.parse("steady", "# initialReplicas: 3\n0,1800\n240,1800\n");
        FleetSimulator simulator = new FleetSimulator(new SimulationConfig().fleet, steady, 1);
        PolicyReport added = simulator.run(addsOnePodAt(30));
        SimulationConfig.Fleet linear = new SimulationConfig().fleet;
        linear.cacheWarmup = "linear";
        PolicyReport pessimistic = new FleetSimulator(linear, steady, 1).run(addsOnePodAt(30));
        System.out.printf(
                "cold pod: keys %d bad seconds, %d failed; linear %d bad seconds, %d failed%n",
                added.badSeconds(), added.failedRequests(), pessimistic.badSeconds(), pessimistic.failedRequests());
        assertThat(added.badSeconds()).isLessThan(pessimistic.badSeconds() / 2);
    }

    @Test
    void aSecondWithoutAReadyPodFailsAllItsArrivals() {
        Trace trace = Trace.parse("t", "0,100\n60,100\n");
        SimulationConfig.Fleet fleet = new SimulationConfig().fleet;
        fleet.initialReplicas = 0;
        PolicyReport r = new FleetSimulator(fleet, trace, 1).run(addsOnePodAt(0));
        // The pod takes startupSeconds +- startupJitterSeconds to start: every second until then is bad, with all of
        // its arrivals (100 a second) failed.
        int earliest = (int) Math.floor(fleet.startupSeconds - fleet.startupJitterSeconds);
        int latest = (int) Math.ceil(fleet.startupSeconds + fleet.startupJitterSeconds);
        assertThat(r.badSeconds()).isBetween(earliest, latest);
        assertThat(r.failingSeconds()).isEqualTo(r.badSeconds());
        assertThat(r.failedRequests()).isBetween(100L * earliest - 50, 100L * latest + 50);
    }

    @Test
    void eachPodSeesItsOwnArrivalsAndTheIngressSeesThemAll() {
        Trace trace = Trace.parse("t", "# initialReplicas: 4\n0,2000\n30,2000\n");
        List<Policy.FleetView> seen = new ArrayList<>();
        Policy recorder = new Policy() {
            public String name() {
                return "recorder";
            }

            public double periodSeconds() {
                return 10;
            }

            public int decide(int now, int current, FleetView fleet) {
                seen.add(fleet);
                return current;
            }
        };
        new FleetSimulator(new SimulationConfig().fleet, trace, 3).run(recorder);
        Policy.FleetView at20 = seen.get(2);
        double sum = 0;
        for (Policy.SimPod pod : at20.pods()) {
            // A random spread: each pod near a quarter, none exactly.
            assertThat(pod.arrivals()).isBetween(20 * 500 * 0.9, 20 * 500 * 1.1).isNotEqualTo(20 * 500.0);
            assertThat(pod.requests()).isCloseTo(pod.arrivals(), org.assertj.core.data.Offset.offset(1.0));
            sum += pod.arrivals();
        }
        assertThat(at20.ingressArrivals().at(20)).isCloseTo(sum, org.assertj.core.data.Offset.offset(1e-6));
        // Each pod's duration counter sums its own responses: means that differ a little, as real counters' do.
        List<Double> means = at20.pods().stream()
                .map(p -> p.durationSum() / p.durationCount())
                .toList();
        assertThat(new java.util.HashSet<>(means)).hasSize(4);
        double low = means.stream().mapToDouble(Double::doubleValue).min().orElseThrow();
        double high = means.stream().mapToDouble(Double::doubleValue).max().orElseThrow();
        assertThat(high / low).isLessThan(1.1);
        assertThat(at20.ingressArrivals().at(20)).isBetween(20 * 2000 * 0.98, 20 * 2000 * 1.02);
    }

    /** The bar's second half: no scale event on a stationary trace, whatever the noise of the counters. */
    @Test
    void stationaryTracesNeverScaleOurs() throws IOException {
        List<Trace> stationary =
                Benchmark.readTraces(TRACES).stream().filter(Trace::stationary).toList();
        assertThat(stationary).hasSizeGreaterThanOrEqualTo(3);
        for (Trace trace : stationary) {
            for (long seed = 1; seed <= 5; seed++) {
                PolicyReport ours = Simulate.run(trace, new SimulationConfig(), seed, List.of("scaledapi"))
                        .get("scaledapi");
                assertThat(ours.scaleEvents())
                        .as("%s seed %d", trace.name(), seed)
                        .isZero();
                assertThat(ours.badSeconds())
                        .as("%s seed %d", trace.name(), seed)
                        .isZero();
            }
        }
    }

    @Test
    void everyPolicyReportsOnEveryShippedTrace() throws IOException {
        for (Trace trace : Benchmark.readTraces(TRACES)) {
            Map<String, PolicyReport> r = Simulate.run(trace, new SimulationConfig(), 1, ALL);
            assertThat(r).containsOnlyKeys(ALL);
            r.values().forEach(p -> assertThat(p.replicaSeconds()).isGreaterThanOrEqualTo(trace.seconds()));
        }
    }
}
