package io.scaledapi.simulator;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The clairvoyant bound: its sum, and that no schedule the simulator runs beats it on small cases. */
class ClairvoyantBoundTest {

    @ParameterizedTest(name = "needed {0}, lead {1}, min {2} -> {3}")
    @CsvSource({
        "'0,0,0,0,0,0,2,2,0,0', 3, 1, 15", // pods for the pair of 2s from 3 s before them: 5 seconds at 2
        "'0,0,0,0,0,0,2,2,0,0', 0, 1, 12",
        "'3,1,1,1,1,1,1,1,1,1', 3, 1, 12",
        "'0,0,0,0,0,0,0,0,0,4', 9, 2, 40",
        "'0,0,0,0,0,0,0,0,0,0', 3, 1, 10"
    })
    void eachSecondRunsTheMostThatTheNextLeadSecondsNeed(String needed, int lead, int min, long expected) {
        int[] n = Arrays.stream(needed.split(",")).mapToInt(Integer::parseInt).toArray();
        assertThat(ClairvoyantBound.replicaSeconds(n, lead, min)).isEqualTo(expected);
    }

    /**
     * Every schedule of up to three levels (1-4 pods, changed at any two seconds) run through the simulator on a
     * step up and back down: none has fewer bad seconds than the bound calls unavoidable, and none with only those
     * has fewer replica-seconds than the bound.
     */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void noScheduleBeatsTheBoundOnASmallStep(long seed) {
        SimulationConfig.Fleet fleet = new SimulationConfig.Fleet();
        fleet.startupSeconds = 5;
        fleet.startupJitterSeconds = 1;
        fleet.pendingSeconds = 1;
        Trace trace = Trace.parse("small-step", """
                seconds,rps
                0,300
                12,300
                12,1500
                24,1500
                24,300
                36,300
                """);
        FleetSimulator simulator = new FleetSimulator(fleet, trace, seed);
        ClairvoyantBound bound = ClairvoyantBound.of(simulator, 1, 4);
        assertThat(bound.needed()).contains(1).contains(3);
        long best = Long.MAX_VALUE;
        int seconds = trace.seconds();
        for (int v1 = 1; v1 <= 4; v1++) {
            for (int v2 = 1; v2 <= 4; v2++) {
                for (int v3 = 1; v3 <= 4; v3++) {
                    for (int a = 0; a <= seconds; a++) {
                        for (int b = a; b <= seconds; b++) {
                            int[] schedule = new int[seconds];
                            for (int t = 0; t < seconds; t++) {
                                schedule[t] = t < a ? v1 : t < b ? v2 : v3;
                            }
                            PolicyReport r = simulator.run(new Schedule(schedule), false);
                            assertThat(r.badSeconds())
                                    .as("bad seconds of %s", Arrays.toString(schedule))
                                    .isGreaterThanOrEqualTo(bound.unavoidableBad());
                            if (r.badSeconds() == bound.unavoidableBad()) {
                                assertThat(r.replicaSeconds())
                                        .as("replica-seconds of %s", Arrays.toString(schedule))
                                        .isGreaterThanOrEqualTo(bound.replicaSeconds());
                                best = Math.min(best, r.replicaSeconds());
                            }
                        }
                    }
                }
            }
        }
        assertThat(best)
                .as("some schedule has only the unavoidable bad seconds")
                .isLessThan(Long.MAX_VALUE);
        // How close the bound comes (recorded, not yet good enough to assert): 66-67 against 99 for seeds 1-3, since
        // a pod's cache is bounded by one fed with every request (not its share), and from the earliest second a new
        // pod can be ready at no cost (the best schedules start their pods 9 s before the step, to warm them).
        assertThat(best).isGreaterThanOrEqualTo(bound.replicaSeconds());
    }

    @ParameterizedTest(name = "at second {0} with lookahead {1}, margin {2}: {3}")
    @CsvSource({
        "0, 1, 1.0, 1",
        "0, 3, 1.0, 2",
        "3, 3, 1.0, 3",
        "3, 2, 1.0, 3",
        "3, 1, 1.0, 2",
        "3, 1, 1.25, 3",
        "3, 3, 1.5, 4", // 4.5, held at the maximum
        "6, 3, 1.0, 2",
        "8, 3, 1.0, 1",
        "8, 3, 1.5, 2",
        "9, 0, 1.0, 1",
        "9, 5, 1.0, 1"
    })
    void theScheduleAsksForTheMostTheNextSecondsNeed(int second, int lookahead, double margin, int expected) {
        int[] needed = {0, 0, 1, 2, 2, 3, 2, 0, 1, 0};
        ClairvoyantSchedule schedule =
                new ClairvoyantSchedule(new ClairvoyantBound(0, 0, needed), lookahead, margin, 1, 4);
        assertThat(schedule.decide(second, 1, null)).isEqualTo(expected);
    }

    /** The schedule runs in the simulator as any policy does; what it achieves is never below the bound. */
    @ParameterizedTest(name = "seed {0}")
    @ValueSource(longs = {1, 2, 3})
    void theScheduleAchievesNoLessThanTheBound(long seed) {
        SimulationConfig.Fleet fleet = new SimulationConfig.Fleet();
        Trace trace = Trace.parse("step", "seconds,rps\n0,300\n60,300\n60,3000\n180,3000\n");
        FleetSimulator simulator = new FleetSimulator(fleet, trace, seed);
        ClairvoyantBound bound = ClairvoyantBound.of(simulator, 1, 20);
        for (int extra : ClairvoyantSchedule.EXTRA_LEADS) {
            for (double margin : ClairvoyantSchedule.MARGINS) {
                PolicyReport r = simulator.run(
                        new ClairvoyantSchedule(
                                bound, ClairvoyantSchedule.slowestStartup(fleet) + extra, margin, 1, 20),
                        false);
                for (double w : new double[] {10, 30, 100}) {
                    assertThat(r.cost(w))
                            .as("J at w = %s, %d s early, margin %s", w, extra, margin)
                            .isGreaterThanOrEqualTo(bound.cost(w));
                }
            }
        }
    }

    /** Runs a fixed replica count per second. */
    record Schedule(int[] replicas) implements Policy {
        @Override
        public String name() {
            return "schedule";
        }

        @Override
        public double periodSeconds() {
            return 1;
        }

        @Override
        public int decide(int nowSecond, int currentReplicas, FleetView fleet) {
            return replicas[Math.min(nowSecond, replicas.length - 1)];
        }
    }
}
