package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.scaledapi.autoscaler.AutoscalerState.RateSample;
import io.scaledapi.autoscaler.AutoscalerState.Recommendation;
import io.scaledapi.autoscaler.AutoscalerState.ScaleEvent;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The windows, capacity and rules stages, table-driven with exact expected values. */
class StagesTest {

    static final ScalingPolicy POLICY = ScalingPolicy.defaults(1, 20, 100);

    /** Samples every 2 s up to now = 60 s: {@code low} from a list of (from second, rate) pairs, high = low + extra. */
    static List<RateSample> samples(double extra, double... steps) {
        List<RateSample> samples = new ArrayList<>();
        for (int t = 2; t <= 60; t += 2) {
            double rate = steps[1];
            for (int k = 0; k + 1 < steps.length; k += 2) {
                if (t >= steps[k]) {
                    rate = steps[k + 1];
                }
            }
            samples.add(new RateSample(t * 1000L, new RequestRate(rate, rate + extra), null, null, null, null));
        }
        return samples;
    }

    @ParameterizedTest(name = "steps {0}: stable {1}, burst {2}, recent high {3}")
    @CsvSource({
        "'0,100',            100,  100,  100",
        "'0,100,54,400',     140,  400,  340", // 4 of 30 samples at 400; recent (10 s: 52..60 s) 4 of 5
        "'0,100,52,400',     150,  400,  400",
        "'0,400,50,100',     340,  100,  100"
    })
    void windowsAverageTheirSamples(String steps, double stable, double burst, double recentHigh) {
        double[] s = java.util.Arrays.stream(steps.split(","))
                .mapToDouble(Double::parseDouble)
                .toArray();
        Rates r = RateWindows.of(samples(0, s), 60_000, POLICY.windows());
        assertThat(r.stable().low()).isCloseTo(stable, within(1e-9));
        assertThat(r.stable().high()).isCloseTo(stable, within(1e-9));
        assertThat(r.burst().low()).isCloseTo(burst, within(1e-9));
        assertThat(r.recent().high()).isCloseTo(recentHigh, within(1e-9));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "a steady rise of 5 req/s per second,         5,   0,  0, 60, 5.0",
        "flat,                                         0,   0,  0, 60, 0.0",
        "a step is not a trend,                        0, 200,  0, 60, 0.0",
        "a ramp under way for 20 s,                   50,   0, 40, 60, 50.0",
        "a 10 s ramp that ended 4 s ago (the demo's), 50,   0, 46, 56, 0.0",
        "a ramp that ended a tick ago: not yet told,  50,   0, 30, 58, 47.27272727272727",
        "a ramp that ended 6 s ago,                   50,   0, 30, 54, 0.0",
        "a ramp 10 s old: the burst window's,         50,   0, 50, 60, 0.0"
    })
    void theTrendIsALineThatExplainsTheWindow(
            String label, double slope, double step, int rampFrom, int rampTo, double expected) {
        List<RateSample> samples = new ArrayList<>();
        for (int t = 2; t <= 60; t += 2) {
            double low = 100 + slope * (Math.min(Math.max(t, rampFrom), rampTo) - rampFrom) + (t >= 50 ? step : 0);
            samples.add(new RateSample(t * 1000L, new RequestRate(low, low), null, null, null, null));
        }
        assertThat(RateWindows.trend(samples, 60_000)).isCloseTo(expected, within(1e-9));
    }

    @ParameterizedTest(name = "{0} req/s at a {1} target -> {2}")
    @CsvSource({"0,     100, 0", "100,   100, 1", "100.5, 100, 2", "820,   100, 9", "5000,  600, 9"})
    void aRateTargetIsCeilOfRateOverTarget(double rate, double target, int replicas) {
        assertThat(Capacity.need(rate, Double.NaN, ScalingPolicy.defaults(1, 50, target))
                        .replicas())
                .isEqualTo(replicas);
    }

    @ParameterizedTest(name = "{0} req/s, {1} ms service, p95 < {2} ms -> {3}")
    @CsvSource({"900, 10, 50,  11", "900, 10, 200, 10", "20,  100, 50, 10"}) // unreachable: the maximum, flagged
    void aLatencyTargetIsErlangC(double rate, double serviceMs, long thresholdMs, int replicas) {
        ScalingPolicy p = ScalingPolicy.defaults(1, 10, 0)
                .withLatencyTarget(95, Duration.ofMillis(thresholdMs))
                .withReplicas(new ScalingPolicy.Replicas(1, 30));
        ScalingPolicy capped =
                thresholdMs == 50 && serviceMs == 100 ? p.withReplicas(new ScalingPolicy.Replicas(1, 10)) : p;
        Capacity.Need need = Capacity.need(rate, serviceMs / 1000, capped);
        int expected = ErlangC.serversFor(rate, 1000 / serviceMs, 0.95, thresholdMs / 1000.0, capped.maxReplicas());
        assertThat(need.replicas())
                .isEqualTo(expected < 0 ? capped.maxReplicas() : expected)
                .isEqualTo(replicas);
        assertThat(need.unreachable()).isEqualTo(expected < 0);
    }

    @ParameterizedTest(name = "{0} req/s on {1} -> within tolerance {2}")
    @CsvSource({"395, 4, true", "439, 4, true", "441, 4, false", "359, 4, false", "361, 4, true"})
    void theToleranceIsTenPercentOfWhatTheReplicasCarry(double rate, int current, boolean within) {
        assertThat(Capacity.withinTolerance(rate, current, POLICY)).isEqualTo(within);
    }

    @ParameterizedTest(name = "recommendations {0}, candidate {1}, current {2} -> {3}")
    @CsvSource({
        "'8@40,6@50',    3, 8, 8", // down: the highest of the last 30 s (8@40 s is 20 s old at 60 s)
        "'8@20,6@50',    3, 8, 6", // 8@20 s is older than 30 s
        "'8@20,2@50',    3, 8, 3",
        "'',             3, 8, 3",
        "'2@59',         9, 4, 9", // up: the up window is 0 s
        "'5@50',         5, 5, 5"
    })
    void stabilizationTakesTheHighestRecommendationOfTheDownWindow(
            String recs, int candidate, int current, int expected) {
        List<Recommendation> list = new ArrayList<>();
        for (String r : recs.isBlank() ? new String[0] : recs.split(",")) {
            String[] parts = r.split("@");
            list.add(new Recommendation(Long.parseLong(parts[1]) * 1000, Integer.parseInt(parts[0])));
        }
        assertThat(Rules.stabilize(list, 60_000, candidate, current, POLICY, 30_000)
                        .replicas())
                .isEqualTo(expected);
    }

    @ParameterizedTest(name = "events {0}: {2} -> {1} allowed {3} ({4})")
    @CsvSource({
        "'',          20, 2,  6,  RateLimited", // +4 pods beats +100 %
        "'',          40, 10, 20, RateLimited", // +100 % beats +4
        "'',          5,  2,  5,  ",
        "'2>6@55',    20, 6,  6,  RateLimited", // started the period at 2: 2 + 4 used up
        "'',          1,  8,  4,  RateLimited", // -50 % per 15 s
        "'8>4@50',    1,  4,  4,  RateLimited", // the period started at 8: 4 is as low as it goes
        "'8>4@40',    1,  4,  2,  RateLimited"
    }) // 20 s ago: a new period
    void rateLimitsCountFromTheStartOfThePeriod(String events, int desired, int current, int allowed, Limit limit) {
        List<ScaleEvent> list = new ArrayList<>();
        for (String e : events.isBlank() ? new String[0] : events.split(",")) {
            String[] at = e.split("@");
            String[] fromTo = at[0].split(">");
            list.add(new ScaleEvent(
                    Long.parseLong(at[1]) * 1000, Integer.parseInt(fromTo[0]), Integer.parseInt(fromTo[1])));
        }
        Rules.Step step = Rules.rateLimit(
                list, 60_000, desired, current, POLICY.withReplicas(new ScalingPolicy.Replicas(1, 100)));
        assertThat(step.replicas()).isEqualTo(allowed);
        assertThat(step.limit()).isEqualTo(limit);
    }

    @ParameterizedTest(name = "up at {0} s, {1} -> {2} with {3} ready, at 200 s -> {4}")
    @CsvSource({
        "'',  3, 4, 2, 3", // no scale-up remembered: nothing to wait for
        "190, 3, 4, 4, 4", // 10 s after a scale-up, within the 30 s down window
        "150, 3, 4, 4, 3", // 50 s after, every pod ready: the down window has passed
        "150, 3, 4, 2, 4", // 50 s after, 2 of 4 ready: its pods are still starting
        "20,  3, 4, 2, 3", // 180 s after, still 2 of 4: past 2 min (and 3 start-ups of 20 s), they are not coming
        "190, 5, 4, 2, 5"
    }) // up is never held
    void noScaleDownWhileAScaleUpIsArriving(String upAt, int candidate, int current, int ready, int expected) {
        Long lastUp = upAt == null || upAt.isBlank() ? null : Long.parseLong(upAt) * 1000;
        Rules.Step step = Rules.afterScaleUp(lastUp, 200_000, candidate, current, ready, 30_000, 20_000);
        assertThat(step.replicas()).isEqualTo(expected);
        assertThat(step.reason() != null).as("says why it held").isEqualTo(expected != candidate);
    }

    @ParameterizedTest(name = "{0} in [2, 5] -> {1} {2}")
    @CsvSource({"1, 2, AtMinimum", "2, 2, AtMinimum", "3, 3, ", "5, 5, AtMaximum", "9, 5, AtMaximum"})
    void boundsCapAndSaySo(int desired, int replicas, Limit limit) {
        Rules.Step step = Rules.bounds(desired, ScalingPolicy.defaults(2, 5, 100));
        assertThat(step.replicas()).isEqualTo(replicas);
        assertThat(step.limit()).isEqualTo(limit);
    }

    @ParameterizedTest(name = "burst need {0} with {1} ready, {2} current, at {3} s -> {4}")
    @CsvSource({
        "4,  2, 2, 0,  true", // 4 >= 2 x 2 and more than current
        "3,  2, 2, 0,  false",
        "8,  2, 8, 0,  false", // already asked for
        "1,  2, 4, 29, true", // still within the down stabilization window (30 s) of the last burst condition
        "1,  2, 4, 30, false"
    }) // a whole window without it: ends, and the stabilization window takes over
    void burstModeStartsAtTheThresholdAndEndsAfterTheDownWindow(
            int need, int ready, int current, long second, boolean bursting) {
        AutoscalerState state = new AutoscalerState();
        if (second > 0) {
            state.burstSince = 0L;
            state.lastBurstAt = 0L;
        }
        assertThat(Rules.burstMode(state, second * 1000, need, ready, current, POLICY, 30_000))
                .isEqualTo(bursting);
    }
}
