package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** The measure stage, table-driven with exact expected values. */
class MeasureTest {

    static final ScalingPolicy POLICY = ScalingPolicy.defaults(1, 20, 100);
    static final Instant STARTED = Instant.parse("2026-11-22T09:00:00Z");

    /** A pod over one 2 s tick: served requests per second, mean response seconds (NaN: none), or a failure. */
    record Pod(String name, double rate, double response, boolean scraped) {}

    static Pod pod(String name, double rate, double response) {
        return new Pod(name, rate, response, true);
    }

    static Pod unscraped(String name) {
        return new Pod(name, 0, Double.NaN, false);
    }

    /** Two ticks 2 s apart: the first sets the counters, the second measures these rates. */
    static Measure.Result measureTick(List<Pod> pods) {
        AutoscalerState state = new AutoscalerState();
        List<PodSnapshot> first = new ArrayList<>();
        List<PodSnapshot> second = new ArrayList<>();
        for (Pod p : pods) {
            double durations = Double.isNaN(p.response()) ? Double.NaN : 0;
            first.add(PodSnapshot.scraped(
                    p.name(),
                    STARTED,
                    STARTED,
                    new PodCounters(
                            1000, Double.NaN, Double.NaN, durations, Double.isNaN(durations) ? Double.NaN : 1000)));
            double requests = 1000 + 2 * p.rate();
            second.add(
                    p.scraped()
                            ? PodSnapshot.scraped(
                                    p.name(),
                                    STARTED,
                                    STARTED,
                                    new PodCounters(
                                            requests,
                                            Double.NaN,
                                            Double.NaN,
                                            Double.isNaN(p.response()) ? Double.NaN : 2 * p.rate() * p.response(),
                                            Double.isNaN(p.response()) ? Double.NaN : requests))
                            : PodSnapshot.unscraped(p.name(), STARTED, STARTED, "connection refused"));
        }
        Measure.measure(first, state, 0, POLICY, (p, k, m) -> {});
        state.healthyResponseSeconds = 0.005; // the fleet's healthy mean, as earlier ticks would have found it
        return Measure.measure(second, state, 2000, POLICY, (p, k, m) -> {});
    }

    static Stream<Arguments> ticks() {
        return Stream.of(
                // label, pods, measured, served, demand (scale up), high (scale down)
                Arguments.of(
                        "two healthy pods",
                        List.of(pod("a", 100, 0.005), pod("b", 120, 0.006)),
                        2,
                        220.0,
                        220.0,
                        220.0),
                Arguments.of(
                        "no durations: nothing to judge saturation by",
                        List.of(pod("a", 100, Double.NaN), pod("b", 40, Double.NaN)),
                        2,
                        140.0,
                        140.0,
                        140.0),
                Arguments.of(
                        "an unscraped pod: idle up, target (100) down",
                        List.of(pod("a", 150, 0.005), unscraped("b")),
                        1,
                        150.0,
                        150.0,
                        300.0),
                Arguments.of(
                        "an unscraped pod below target: its share",
                        List.of(pod("a", 60, 0.005), unscraped("b")),
                        1,
                        60.0,
                        60.0,
                        160.0),
                Arguments.of(
                        "a cold pod, slow but not queueing, is not saturated",
                        List.of(pod("a", 300, 0.005), pod("b", 300, 0.030)),
                        2,
                        600.0,
                        600.0,
                        600.0),
                Arguments.of(
                        "one saturated pod: the healthy pod's rate is each pod's share, up and down",
                        List.of(pod("a", 300, 0.005), pod("b", 50, 0.200)),
                        2,
                        350.0,
                        600.0,
                        600.0),
                Arguments.of(
                        "all saturated, queues not draining: 4x served, up and down",
                        List.of(pod("a", 800, 0.400), pod("b", 800, 0.400)),
                        2,
                        1600.0,
                        6400.0,
                        6400.0));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("ticks")
    void measuresRatesForScalingUpAndDown(
            String label, List<Pod> pods, int measured, double served, double demand, double high) {
        Measure.Result r = measureTick(pods);
        assertThat(r.hold()).isNull();
        assertThat(r.measured()).isEqualTo(measured);
        assertThat(r.served()).isCloseTo(served, within(1e-6));
        assertThat(r.rate().low()).isCloseTo(demand, within(1e-6));
        assertThat(r.rate().high()).isCloseTo(high, within(1e-6));
    }

    static Stream<Arguments> saturation() {
        return Stream.of(
                // pods {rate, response s, growth s/s}, ready, healthy s -> demand (0: nothing saturated or nothing
                // tells)
                Arguments.of(new double[][] {{300, 0.005, 0}, {300, 0.006, 0}}, 2, 0.005, 0.0),
                Arguments.of(new double[][] {{300, 0.005, 0}, {50, 0.2, 0}}, 2, 0.005, 600.0),
                Arguments.of(new double[][] {{300, 0.005, 0}, {50, 0.2, 0}}, 3, 0.005, 900.0), // a third pod unmeasured
                Arguments.of(new double[][] {{300, 0.005, 0}, {300, 0.3, 4.0}}, 2, 0.005, 1800.0), // its queue shows 5x
                Arguments.of(new double[][] {{800, 0.4, 0}}, 1, 0.005, 3200.0),
                Arguments.of(new double[][] {{800, 0.4, 5.0}}, 1, 0.005, 4800.0), // growth says more than 4x
                Arguments.of(new double[][] {{800, 0.4, -0.1}}, 1, 0.005, 800.0), // draining: it is catching up
                Arguments.of(new double[][] {{800, 0.4, -0.01}}, 1, 0.005, 3200.0), // noise on a full queue
                Arguments.of(new double[][] {{800, 0.4, 0}, {800, 0.5, -0.1}}, 2, 0.005, 4000.0),
                Arguments.of(new double[][] {{800, 0.4, 0}}, 2, 0.005, 3200.0), // a pod not measured yet counts idle
                Arguments.of(new double[][] {{300, 0.04, 0}}, 1, 0.005, 0.0), // 8x but only 35 ms more: a cold cache
                Arguments.of(
                        new double[][] {{300, 0.2, 0}}, 1, Double.NaN, 0.0), // no healthy figure yet, no queue growth
                Arguments.of(
                        new double[][] {{300, 0.3, 0.2}},
                        1,
                        Double.NaN,
                        1200.0), // no healthy figure, but its queue fills
                Arguments.of(
                        new double[][] {{300, 5.0, 0.5}},
                        1,
                        3.0,
                        1200.0), // the floor came from overload: growth still tells
                Arguments.of(
                        new double[][] {{300, 0.05, 0.2}}, 1, Double.NaN, 0.0), // growing, but 50 ms is no queue yet
                Arguments.of(new double[][] {{300, 0.3, 0.05}}, 1, Double.NaN, 0.0), // noise on a steady wait
                Arguments.of(
                        new double[][] {{300, Double.NaN, 0}, {300, 0.2, 0}},
                        2,
                        0.005,
                        0.0)); // a pod without durations
    }

    @ParameterizedTest
    @MethodSource("saturation")
    void saturatedPodsDoNotHideDemand(double[][] pods, int ready, double healthy, double expected) {
        List<Measure.PodRate> rates = new ArrayList<>();
        for (int i = 0; i < pods.length; i++) {
            rates.add(new Measure.PodRate("p" + i, pods[i][0], pods[i][1], pods[i][2]));
        }
        assertThat(Measure.saturationAwareDemand(rates, ready, healthy)).isCloseTo(expected, within(1e-6));
    }

    static Stream<Arguments> holds() {
        return Stream.of(
                Arguments.of(List.of(PodSnapshot.notReady("a", STARTED)), "no ready pods to measure", false),
                Arguments.of(
                        List.of(PodSnapshot.unscraped("a", STARTED, STARTED, "timeout")),
                        "no pod could be scraped",
                        false),
                Arguments.of(
                        List.of(PodSnapshot.scraped("a", STARTED, STARTED, requestsOnly(-1))),
                        "no pod could be scraped",
                        false),
                Arguments.of(
                        List.of(PodSnapshot.scraped("a", STARTED, STARTED, requestsOnly(10))),
                        "waiting for a second scrape to compute rates",
                        true));
    }

    @ParameterizedTest
    @MethodSource("holds")
    void withNothingToMeasureItSaysWhy(List<PodSnapshot> pods, String hold, boolean available) {
        Measure.Result r = Measure.measure(pods, new AutoscalerState(), 1000, POLICY, (p, k, m) -> {});
        assertThat(r.hold()).isEqualTo(hold);
        assertThat(r.metricsAvailable()).isEqualTo(available);
    }

    /** Pod "a" measured at {@code rate} (2 s ticks), then its scrape gets no full answer; the third tick's result. */
    static Measure.Result silentAfter(double rate, double response, PodSnapshot third) {
        AutoscalerState state = new AutoscalerState();
        double requests = 1000;
        for (int tick = 0; tick < 2; tick++) {
            requests += tick * 2 * rate;
            Measure.measure(
                    List.of(
                            PodSnapshot.scraped(
                                    "a",
                                    STARTED,
                                    STARTED,
                                    new PodCounters(requests, Double.NaN, Double.NaN, requests * response, requests)),
                            PodSnapshot.scraped(
                                    "b",
                                    STARTED,
                                    STARTED,
                                    new PodCounters(requests, Double.NaN, Double.NaN, requests * response, requests))),
                    state,
                    tick * 2000L,
                    POLICY,
                    (p, k, m) -> {});
        }
        state.healthyResponseSeconds = 0.005;
        return Measure.measure(
                List.of(
                        third,
                        PodSnapshot.scraped(
                                "b",
                                STARTED,
                                STARTED,
                                new PodCounters(
                                        requests + 2 * rate,
                                        Double.NaN,
                                        Double.NaN,
                                        (requests + 2 * rate) * response,
                                        requests + 2 * rate))),
                state,
                4000,
                POLICY,
                (p, k, m) -> {});
    }

    @Test
    void aLoadedPodThatGivesNoFullAnswerIsCountedSaturatedNeverIdle() {
        // At 90 req/s (the target is 100) pod a's scrape times out: busy, not idle. Pod b keeps up at 90: the
        // Service sends each pod the same share, so demand is 2 x 90, not the 90 b served.
        Measure.Result r = silentAfter(
                90, 0.005, PodSnapshot.noFullAnswer("a", STARTED, STARTED, "no full answer within 1000 ms"));
        assertThat(r.hold()).isNull();
        assertThat(r.blind()).containsExactly("a");
        assertThat(r.problem()).isEqualTo("ScrapeTimeout");
        assertThat(r.rate().low()).isCloseTo(180.0, within(1e-6));
        assertThat(r.message()).contains("1 loaded gave no full answer (a), counted saturated");
    }

    @Test
    void anIdlePodThatTimesOutOrAPodThatRefusesIsCountedAsBefore() {
        // 20 req/s is no evidence of load: counted idle when scaling up, as any unmeasured pod.
        Measure.Result idle = silentAfter(
                20, 0.005, PodSnapshot.noFullAnswer("a", STARTED, STARTED, "no full answer within 1000 ms"));
        assertThat(idle.blind()).isEmpty();
        assertThat(idle.problem()).isNull();
        assertThat(idle.rate().low()).isCloseTo(20.0, within(1e-6));
        // A refused connection is not a drowning pod's way of failing, whatever its last rate.
        Measure.Result refused =
                silentAfter(90, 0.005, PodSnapshot.unscraped("a", STARTED, STARTED, "connection refused"));
        assertThat(refused.blind()).isEmpty();
        assertThat(refused.rate().low()).isCloseTo(90.0, within(1e-6));
    }

    @Test
    void aPodAtItsCpuLimitIsLoadedAndTellsItsCapacity() {
        // 60 req/s (far under the 100 target) on 0.19 of a 0.2 core limit: at its limit. Its capacity is what it
        // serves per share of the limit: 60 / 0.95 = 63.2 req/s. When its scrape then times out, it is busy, not idle.
        AutoscalerState state = new AutoscalerState();
        long t0 = STARTED.toEpochMilli() + 600_000; // ready for ten minutes: warm
        twoCpuTicks(state, t0, 60, 0.95);
        assertThat(state.podCapacity).isCloseTo(60 / 0.95, within(1e-6));
        Measure.Result r = Measure.measure(
                List.of(PodSnapshot.noFullAnswer("a", STARTED, STARTED, "no full answer within 1000 ms")
                        .withCpuLimit(0.2)),
                state,
                t0 + 4000,
                POLICY,
                (p, k, m) -> {});
        assertThat(r.blind()).containsExactly("a");
        assertThat(r.hold()).isNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // A first pod still compiling: 100 req/s on 0.6 of its limit is no measure of what it carries at its limit.
        "under its limit: nothing known yet,      100, 0.6,      , ",
        "under its limit: a floor above,          100, 0.6,   150, 166.66666666666669",
        "under its limit: a floor below,          100, 0.6,   300, 300",
        "at its limit: below what was known,      270, 0.95,  400, 365.2631578947368"
    })
    void onlyAPodAtItsCpuLimitSetsItsCapacityBelowItServesAFloor(
            String label, double rate, double cpuShare, Double known, Double expected) {
        AutoscalerState state = new AutoscalerState();
        state.podCapacity = known;
        twoCpuTicks(state, STARTED.toEpochMilli() + 600_000, rate, cpuShare);
        if (expected == null) {
            assertThat(state.podCapacity).isNull();
        } else {
            assertThat(state.podCapacity).isCloseTo(expected, within(1e-6));
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // served and read per pod a and b (NaN: not counted), growth of each pod's unread requests per second (NaN:
        // no gauge), response seconds; demand (low)
        "pods that read more than they serve (shed): what they read,    100, 300, 100, 300, NaN, 0.005, 600",
        "throttled pods read what they serve; the rest waits unread,    100, 100, 100, 100, 200, 0.005, 600",
        "the wait is in the kernel and the pod timers see none of it,  100, 100, 100, 100, 50,  0.005, 300",
        "a backlog draining is not less demand than what was served,    100, 100, 100, 100, -50, 0.005, 200",
        "arrivals lagging what was served: what was served,             100,  80, 100,  80, NaN, 0.005, 200",
        "sent below what saturated pods are taken to hide: the guess,   100, 100, 100, 100, 20,  0.5,   800",
        "one pod without the counter: the saturation guess,             100, 300, 100, NaN, NaN, 0.5,   800"
    })
    void whatWasSentIsDemandWhereEveryPodCountsIt(
            String label,
            double servedA,
            double readA,
            double servedB,
            double readB,
            double unreadGrowth,
            double response,
            double low) {
        AutoscalerState state = new AutoscalerState();
        double[][] pods = {{servedA, readA}, {servedB, readB}};
        Measure.Result r = null;
        for (int tick = 0; tick < 2; tick++) {
            List<PodSnapshot> snapshots = new ArrayList<>();
            for (int i = 0; i < pods.length; i++) {
                double requests = 1000 + tick * 2 * pods[i][0];
                snapshots.add(PodSnapshot.scraped(
                        "p" + i,
                        STARTED,
                        STARTED,
                        new PodCounters(requests, Double.NaN, Double.NaN, tick * 2 * pods[i][0] * response, requests)
                                .withArrivals(
                                        1000 + tick * 2 * pods[i][1], Double.NaN, 1000 + tick * 2 * unreadGrowth)));
            }
            state.healthyResponseSeconds = 0.005;
            r = Measure.measure(snapshots, state, tick * 2000L, POLICY, (p, k, m) -> {});
        }
        assertThat(r.served()).isCloseTo(servedA + servedB, within(1e-6));
        assertThat(r.rate().low()).isCloseTo(low, within(1e-6));
    }

    /** Two ticks 2 s apart of one warm pod serving {@code rate} on {@code cpuShare} of its 0.2 core limit. */
    private static void twoCpuTicks(AutoscalerState state, long t0, double rate, double cpuShare) {
        for (int tick = 0; tick < 2; tick++) {
            Measure.measure(
                    List.of(PodSnapshot.scraped(
                                    "a",
                                    STARTED,
                                    STARTED,
                                    new PodCounters(
                                            1000 + tick * 2 * rate,
                                            Double.NaN,
                                            Double.NaN,
                                            Double.NaN,
                                            Double.NaN,
                                            Double.NaN,
                                            Double.NaN,
                                            50 + tick * 2 * 0.2 * cpuShare))
                            .withCpuLimit(0.2)),
                    state,
                    t0 + tick * 2000L,
                    POLICY,
                    (p, k, m) -> {});
        }
    }

    @Test
    void aPodThatNeverAnsweredStillHolds() {
        AutoscalerState state = new AutoscalerState();
        for (int tick = 0; tick < 3; tick++) {
            Measure.Result r = Measure.measure(
                    List.of(PodSnapshot.noFullAnswer("a", STARTED, STARTED, "no full answer within 1000 ms")),
                    state,
                    tick * 2000L,
                    POLICY,
                    (p, k, m) -> {});
            assertThat(r.hold()).isEqualTo("no pod could be scraped");
            assertThat(r.metricsAvailable()).isFalse();
        }
    }

    @Test
    void aFleetOverloadedFromItsFirstTickTakesNoHealthyFigureFromIt() {
        // One pod, seconds of queue from the start and growing: its mean is never the healthy floor, and the
        // growing queue alone says it is saturated.
        AutoscalerState state = new AutoscalerState();
        double requests = 0;
        double durationSum = 0;
        Measure.Result r = null;
        for (int tick = 0; tick < 4; tick++) {
            double response = 2.0 + tick * 1.0; // a second more queue every 2 s tick
            requests += 600;
            durationSum += 600 * response;
            r = Measure.measure(
                    List.of(PodSnapshot.scraped(
                            "a",
                            STARTED,
                            STARTED,
                            new PodCounters(requests, Double.NaN, Double.NaN, durationSum, requests))),
                    state,
                    STARTED.toEpochMilli() + 600_000 + tick * 2000L,
                    POLICY,
                    (p, k, m) -> {}); // ready for ten minutes
        }
        assertThat(state.healthyResponseSeconds)
                .as("the floor taken before growth was known, never lowered by overload")
                .isCloseTo(3.0, within(1e-6));
        assertThat(r.saturated()).isTrue();
        assertThat(r.rate().low()).as("4 x the 300 req/s served").isCloseTo(1200.0, within(1e-6));
        assertThat(state.podCapacity).as("what the saturated pod serves").isCloseTo(300.0, within(1e-6));
    }

    @Test
    void garbageIsReportedOncePerPodAndKind() {
        AutoscalerState state = new AutoscalerState();
        List<String> warned = new ArrayList<>();
        for (int tick = 0; tick < 5; tick++) {
            Measure.measure(
                    List.of(PodSnapshot.scraped("a", STARTED, STARTED, requestsOnly(Double.NaN))),
                    state,
                    tick * 2000L,
                    POLICY,
                    (pod, problem, message) -> {
                        if (!warned.contains(pod + "/" + problem)) {
                            warned.add(pod + "/" + problem);
                        }
                    });
        }
        assertThat(warned).containsExactly("a/invalid");
    }

    @Test
    void aRestartedCounterCountsItsNewValue() {
        assertThat(Measure.increase(50, 1000)).isEqualTo(50);
        assertThat(Measure.increase(1200, 1000)).isEqualTo(200);
    }

    /** A pod's counters with only the request count: no cache, duration or shared-tier series. */
    static PodCounters requestsOnly(double requests) {
        return new PodCounters(requests, Double.NaN, Double.NaN, Double.NaN, Double.NaN);
    }
}
