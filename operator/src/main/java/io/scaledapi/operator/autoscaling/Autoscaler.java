package io.scaledapi.operator.autoscaling;

import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.scaledapi.operator.autoscaling.AutoscalerState.PodCounterState;
import io.scaledapi.operator.autoscaling.AutoscalerState.RateSample;

/**
 * The scaling decision for one ScaledApi: each tick turns the pods' counters into a decision. Plain Java with an
 * injected clock, so the operator and the simulator run the very same code. All memory is in
 * {@link AutoscalerState}, bounded by the windows, so a restored state decides as the original would have.
 * <ol>
 * <li>Per-pod rates from counter differences (a counter that went down restarted: the new value is the increase).</li>
 * <li>Fleet rates per tick, with pods that could not be measured counted idle (low) and fully loaded (high): scaling
 * up uses the low figure, scaling down the high one (the HPA's conservative rule).</li>
 * <li>Recommendations from the stable (60 s) and burst (6 s) windows and from the trend projected over the pods'
 * measured start-up time; a tolerance band around the current capacity keeps noise from moving anything.</li>
 * <li>Burst mode when the burst recommendation reaches the threshold times the ready pods: up at once, never down,
 * until one stable window passes without the condition.</li>
 * <li>Stabilization (highest recommendation of the down window, lowest of the up window), rate limits, bounds.</li>
 * </ol>
 */
public final class Autoscaler {

    private static final Logger log = LoggerFactory.getLogger(Autoscaler.class);
    /** A per-pod rate above this is a counter gone wrong, not traffic. */
    static final double MAX_POD_RATE = 1_000_000;
    /** The trend counts only when it stands this many standard errors clear of zero. */
    private static final double TREND_SIGNIFICANCE = 3.0;
    /** ... and a line explains at least this share of the window's variance (R²). */
    private static final double MIN_TREND_FIT = 0.9;
    /** The trend is fitted over the most recent samples only, so that it follows a ramp as soon as it starts. */
    private static final long TREND_WINDOW_MILLIS = 20_000;
    /** A pod whose mean response time exceeds this multiple of the fleet's healthy one is not keeping up. */
    private static final double SATURATED_RESPONSE_FACTOR = 3.0;

    private final String name;
    private final Clock clock;
    private final AutoscalerState state;
    private final Set<String> reported = new HashSet<>();
    private ScalingPolicy policy;

    public Autoscaler(String name, ScalingPolicy policy, Clock clock, AutoscalerState restored) {
        this.name = name;
        this.policy = policy;
        this.clock = clock;
        this.state = restored != null ? restored : new AutoscalerState();
    }

    public void updatePolicy(ScalingPolicy policy) {
        this.policy = policy;
    }

    public ScalingPolicy policy() {
        return policy;
    }

    /** The live state, to be saved after each tick. */
    public AutoscalerState state() {
        return state;
    }

    public Decision decide(List<PodSnapshot> pods, int current) {
        long now = clock.millis();
        if (state.lastTick == null) {
            // A fresh start knows nothing of the last window: count the present size as recommended, so the
            // first scale-down waits a whole stabilization window, as it would have with history.
            state.recommendations.add(new AutoscalerState.Recommendation(now, current));
        }
        state.lastTick = now;
        measureStartup(pods);
        FleetRates fleet = measure(pods, now);
        boolean bursting = state.burstSince != null;
        Decision.Mode mode = bursting ? Decision.Mode.Burst : Decision.Mode.Stable;
        if (fleet.ready == 0) {
            return hold(current, mode, "no ready pods to measure", false, "no pod is ready yet");
        }
        if (fleet.scraped == 0) {
            return hold(current, mode, "no pod could be scraped", false, "none of the " + fleet.ready
                    + " ready pods could be scraped: " + fleet.firstFailure);
        }
        if (fleet.measured == 0) {
            return hold(current, mode, "waiting for a second scrape to compute rates", true,
                    fleet.scraped + " of " + fleet.ready + " ready pods scraped; rates need two scrapes");
        }

        state.rates.add(new RateSample(now, fleet.low, fleet.high, fleet.hits, fleet.misses, fleet.durationSum,
                fleet.durationCount));
        state.rates.removeIf(s -> s.t <= now - policy.stableWindow().toMillis());
        Windows w = windows(now);
        String metricsMessage = fleet.measured + " of " + fleet.ready + " ready pods measured"
                + (fleet.ready > fleet.measured ? " (the others counted idle when scaling up, fully loaded when scaling down)" : "");

        int readyCount = Math.max(1, fleet.ready);
        Need burstNeed = need(w.burstLow, w);
        if (burstNeed.replicas >= policy.burstThreshold() * readyCount && burstNeed.replicas > current) {
            if (state.burstSince == null) {
                state.burstSince = now;
            }
            state.lastBurstAt = now;
        } else if (state.burstSince != null && now - state.lastBurstAt >= policy.stableWindow().toMillis()) {
            state.burstSince = null;
            state.lastBurstAt = null;
        }
        bursting = state.burstSince != null;

        double trend = trend(now);
        long startup = state.startupMillis != null ? state.startupMillis : policy.defaultStartup().toMillis();
        double projected = w.burstLow + Math.max(0, trend) * startup / 1000.0;
        double upRate = Math.max(Math.max(w.stableLow, w.burstLow), projected);
        double downRate = Math.max(w.stableHigh, w.burstHigh);
        Need up = need(upRate, w);
        Need down = need(downRate, w);
        int candidate = current;
        String why;
        if (up.replicas > current && !withinTolerance(upRate, current)) {
            candidate = up.replicas;
            why = String.format(Locale.ROOT, "up: %,.0f req/s (60 s: %,.0f, 6 s: %,.0f, trend %+.1f req/s² over a %d s start-up) needs %d replicas%s, had %d",
                    upRate, w.stableLow, w.burstLow, trend, startup / 1000, up.replicas, up.basis, current);
        } else if (down.replicas < current && !withinTolerance(downRate, current)) {
            candidate = down.replicas;
            why = String.format(Locale.ROOT, "down: %,.0f req/s over 60 s needs %d replicas%s, had %d",
                    downRate, down.replicas, down.basis, current);
        } else if (up.replicas > current || down.replicas < current) {
            why = String.format(Locale.ROOT, "hold: %,.0f req/s over 60 s is within %d%% of what %d replicas carry",
                    w.stableLow, Math.round(policy.tolerance() * 100), current);
        } else {
            why = String.format(Locale.ROOT, "hold: %,.0f req/s (60 s: %,.0f) needs %d replicas%s, have %d",
                    upRate, w.stableLow, up.replicas, up.basis, current);
        }
        String limit = up.unreachable ? "LatencyTargetUnreachable" : null;

        int desired;
        if (bursting) {
            candidate = Math.max(candidate, burstNeed.replicas);
            desired = Math.max(current, candidate);
            why = String.format(Locale.ROOT, "burst: %,.0f req/s over %d s needs %d replicas, had %d",
                    w.burstLow, policy.burstWindow().toSeconds(), burstNeed.replicas, current);
            record(now, candidate);
        } else {
            record(now, candidate);
            desired = stabilize(now, candidate, current);
            if (desired == current && candidate != current) {
                why = "hold (stabilization) at " + current + ": " + why;
            }
            if (desired != candidate) {
                why += desired > candidate
                        ? String.format(Locale.ROOT, "; the highest recommendation of the last %d s is %d",
                                policy.downStabilization().toSeconds(), desired)
                        : String.format(Locale.ROOT, "; the lowest recommendation of the last %d s is %d",
                                policy.upStabilization().toSeconds(), desired);
            }
            int limited = rateLimit(now, desired, current);
            if (limited != desired) {
                why += String.format(Locale.ROOT, "; rate limit allows %d now", limited);
                limit = "RateLimited";
                desired = limited;
            }
        }
        int bounded = Math.max(policy.minReplicas(), Math.min(policy.maxReplicas(), desired));
        if (bounded != desired) {
            why += bounded == policy.maxReplicas() ? "; capped at replicas.max " + bounded : "; raised to replicas.min " + bounded;
        }
        if (bounded == policy.maxReplicas() && desired >= policy.maxReplicas() && limit == null) {
            limit = "AtMaximum";
        } else if (bounded == policy.minReplicas() && desired <= policy.minReplicas() && limit == null) {
            limit = "AtMinimum";
        }
        if (bounded != current) {
            state.scaleEvents.add(new AutoscalerState.ScaleEvent(now, current, bounded));
        }
        long keep = Math.max(policy.upPeriod().toMillis(), policy.downPeriod().toMillis());
        state.scaleEvents.removeIf(e -> e.t <= now - keep);
        return new Decision(bounded, bursting ? Decision.Mode.Burst : Decision.Mode.Stable, why, w.stableLow,
                w.burstLow, w.hitRatio, true, metricsMessage, limit);
    }

    private Decision hold(int current, Decision.Mode mode, String why, boolean metricsAvailable, String message) {
        return new Decision(current, mode, "hold at " + current + ": " + why, Double.NaN, Double.NaN, Double.NaN,
                metricsAvailable, message, null);
    }

    // --- measurement

    private record FleetRates(int ready, int scraped, int measured, double low, double high, Double hits, Double misses,
            Double durationSum, Double durationCount, String firstFailure) {
    }

    private FleetRates measure(List<PodSnapshot> pods, long now) {
        Map<String, PodCounterState> previous = new HashMap<>();
        state.pods.forEach(p -> previous.put(p.name, p));
        List<PodCounterState> next = new ArrayList<>();
        int ready = 0;
        int scraped = 0;
        int measured = 0;
        double requests = 0;
        double hits = 0;
        double misses = 0;
        double durationSum = 0;
        double durationCount = 0;
        boolean cache = false;
        boolean durations = false;
        String firstFailure = null;
        List<double[]> perPod = new ArrayList<>(); // {rate, mean response seconds or NaN}
        for (PodSnapshot pod : pods) {
            if (!pod.ready()) {
                continue;
            }
            ready++;
            if (pod.counters() == null) {
                firstFailure = firstFailure != null ? firstFailure : pod.name() + ": " + pod.failure();
                continue;
            }
            if (!pod.counters().isValid()) {
                reportOnce(pod.name() + "/invalid", "pod " + pod.name() + " reported a negative or non-finite counter; ignored for this tick");
                firstFailure = firstFailure != null ? firstFailure : pod.name() + ": invalid counters";
                continue;
            }
            scraped++;
            PodCounters c = pod.counters();
            next.add(new PodCounterState(pod.name(), now, c));
            PodCounterState prev = previous.get(pod.name());
            if (prev == null || now <= prev.t) {
                continue; // a pod's first scrape gives no rate
            }
            double seconds = (now - prev.t) / 1000.0;
            double rate = increase(c.requests(), prev.requests) / seconds;
            if (rate > MAX_POD_RATE) {
                reportOnce(pod.name() + "/jump", String.format(Locale.ROOT,
                        "pod %s's request counter jumped by %,.0f req/s; ignored for this tick", pod.name(), rate));
                continue;
            }
            measured++;
            requests += rate;
            if (prev.hits != null && prev.misses != null && Double.isFinite(c.cacheHits()) && Double.isFinite(c.cacheMisses())) {
                cache = true;
                hits += increase(c.cacheHits(), prev.hits) / seconds;
                misses += increase(c.cacheMisses(), prev.misses) / seconds;
            }
            double response = Double.NaN;
            if (prev.durationSum != null && prev.durationCount != null && Double.isFinite(c.durationSum())
                    && Double.isFinite(c.durationCount())) {
                durations = true;
                double sum = increase(c.durationSum(), prev.durationSum) / seconds;
                double count = increase(c.durationCount(), prev.durationCount) / seconds;
                durationSum += sum;
                durationCount += count;
                response = count > 0 ? sum / count : Double.NaN;
            }
            perPod.add(new double[] {rate, response});
        }
        state.pods = next;
        int unmeasured = ready - measured;
        double fullLoad = policy.targetRequestsPerSecond() > 0 ? policy.targetRequestsPerSecond()
                : measured > 0 ? requests / measured : 0;
        // Saturation raises the estimate used for scaling up only; scaling down keeps to what was served.
        double demand = Math.max(requests, saturationAwareDemand(perPod, ready, durations ? durationSum / Math.max(durationCount, 1e-9) : Double.NaN));
        return new FleetRates(ready, scraped, measured, demand, requests + unmeasured * Math.max(fullLoad, requests / Math.max(1, measured)),
                cache ? hits : null, cache ? misses : null, durations ? durationSum : null, durations ? durationCount : null,
                firstFailure);
    }

    /**
     * What the pods served understates what arrived when they are saturated: queued requests are counted only once
     * served, and a cold cache serves fewer requests per second. Their response times show it: a pod whose mean
     * response time is well above the fleet's healthy one (the lowest fleet mean seen recently) is not keeping up.
     * The Service spreads requests evenly, so a healthy pod's rate is every ready pod's share; when every pod is
     * saturated, demand is taken as twice what was served, the most a saturated fleet's rate can be trusted to hide
     * in one step (rate limits and the next tick's look take it from there).
     */
    private double saturationAwareDemand(List<double[]> perPod, int ready, double fleetResponse) {
        if (Double.isFinite(fleetResponse) && fleetResponse > 0) {
            // A slowly rising floor: the best response seen, forgotten at 1 % a tick so it follows a changed workload.
            state.healthyResponseSeconds = state.healthyResponseSeconds == null ? fleetResponse
                    : Math.min(fleetResponse, state.healthyResponseSeconds * 1.01);
        }
        if (state.healthyResponseSeconds == null || perPod.isEmpty()) {
            return 0;
        }
        double limit = SATURATED_RESPONSE_FACTOR * state.healthyResponseSeconds;
        List<Double> healthy = new ArrayList<>();
        double served = 0;
        for (double[] pod : perPod) {
            if (Double.isNaN(pod[1])) {
                return 0; // no response times: nothing to judge by
            }
            served += pod[0];
            if (pod[1] <= limit) {
                healthy.add(pod[0]);
            }
        }
        if (healthy.size() == perPod.size()) {
            return 0;
        }
        if (healthy.isEmpty()) {
            return 2 * served;
        }
        healthy.sort(null);
        return healthy.get(healthy.size() / 2) * ready;
    }

    /** A counter that went down belongs to a restarted process: all of its new value is the increase. */
    static double increase(double now, double before) {
        return now >= before ? now - before : now;
    }

    private void measureStartup(List<PodSnapshot> pods) {
        Set<String> known = new HashSet<>();
        state.pods.forEach(p -> known.add(p.name));
        for (PodSnapshot pod : pods) {
            if (pod.ready() && pod.startedAt() != null && pod.readySince() != null && !known.contains(pod.name())) {
                long observed = Math.max(0, pod.readySince().toEpochMilli() - pod.startedAt().toEpochMilli());
                // A moving average, so one slow pull does not dominate; only pods seen newly ready count.
                state.startupMillis = state.startupMillis == null ? observed : Math.round(0.7 * state.startupMillis + 0.3 * observed);
            }
        }
    }

    private record Windows(double stableLow, double stableHigh, double burstLow, double burstHigh, double hitRatio,
            double meanServiceSeconds) {
    }

    private Windows windows(long now) {
        long burstFrom = now - policy.burstWindow().toMillis();
        double sLow = 0, sHigh = 0, bLow = 0, bHigh = 0, hits = 0, misses = 0, durSum = 0, durCount = 0;
        int s = 0, b = 0;
        for (RateSample sample : state.rates) {
            s++;
            sLow += sample.low;
            sHigh += sample.high;
            if (sample.t > burstFrom) {
                b++;
                bLow += sample.low;
                bHigh += sample.high;
            }
            if (sample.hits != null) {
                hits += sample.hits;
                misses += sample.misses;
            }
            if (sample.durationSum != null) {
                durSum += sample.durationSum;
                durCount += sample.durationCount;
            }
        }
        return new Windows(sLow / s, sHigh / s, b == 0 ? sLow / s : bLow / b, b == 0 ? sHigh / s : bHigh / b,
                hits + misses > 0 ? hits / (hits + misses) : Double.NaN,
                durCount > 0 ? durSum / durCount : Double.NaN);
    }

    /**
     * Least-squares slope (req/s per second) of the low rate over the trend window, or 0 unless it is significant and a
     * straight line explains the window: a step (a jump, then flat) is not a trend to extrapolate.
     */
    private double trend(long now) {
        List<RateSample> recent = new ArrayList<>();
        for (RateSample s : state.rates) {
            if (s.t > now - TREND_WINDOW_MILLIS) {
                recent.add(s);
            }
        }
        int n = recent.size();
        if (n < 5) {
            return 0;
        }
        double mx = 0, my = 0;
        for (RateSample s : recent) {
            mx += (s.t - now) / 1000.0;
            my += s.low;
        }
        mx /= n;
        my /= n;
        double sxx = 0, sxy = 0, total = 0;
        for (RateSample s : recent) {
            double x = (s.t - now) / 1000.0 - mx;
            sxx += x * x;
            sxy += x * (s.low - my);
            total += (s.low - my) * (s.low - my);
        }
        if (sxx == 0 || total == 0) {
            return 0;
        }
        double slope = sxy / sxx;
        double residuals = 0;
        for (RateSample s : recent) {
            double fit = my + slope * ((s.t - now) / 1000.0 - mx);
            residuals += (s.low - fit) * (s.low - fit);
        }
        double standardError = Math.sqrt(residuals / (n - 2) / sxx);
        double explained = 1 - residuals / total;
        return Math.abs(slope) > TREND_SIGNIFICANCE * standardError && explained >= MIN_TREND_FIT ? slope : 0;
    }

    // --- recommendation

    private record Need(int replicas, String basis, boolean unreachable) {
    }

    private Need need(double rate, Windows w) {
        int replicas = 0;
        String basis = "";
        if (policy.targetRequestsPerSecond() > 0) {
            replicas = (int) Math.ceil(rate / policy.targetRequestsPerSecond() - 1e-9);
            basis = String.format(Locale.ROOT, " at %,.0f req/s each", policy.targetRequestsPerSecond());
        }
        boolean unreachable = false;
        if (policy.hasLatencyTarget() && Double.isFinite(w.meanServiceSeconds) && w.meanServiceSeconds > 0) {
            int servers = ErlangC.serversFor(rate, 1 / w.meanServiceSeconds, policy.latencyPercentile() / 100,
                    policy.latencyThreshold().toNanos() / 1e9, policy.maxReplicas());
            if (servers < 0) {
                unreachable = true;
                servers = policy.maxReplicas();
            }
            if (servers > replicas) {
                replicas = servers;
                basis = String.format(Locale.ROOT, " for p%s under %d ms (M/M/c, mean service %.1f ms)",
                        trimPercentile(policy.latencyPercentile()), policy.latencyThreshold().toMillis(), w.meanServiceSeconds * 1000);
            }
        }
        return new Need(replicas, basis, unreachable);
    }

    private boolean withinTolerance(double rate, int current) {
        if (policy.targetRequestsPerSecond() <= 0 || current <= 0) {
            return false;
        }
        double ratio = rate / (current * policy.targetRequestsPerSecond());
        return Math.abs(ratio - 1) <= policy.tolerance();
    }

    private void record(long now, int replicas) {
        state.recommendations.add(new AutoscalerState.Recommendation(now, replicas));
        long keep = Math.max(policy.downStabilization().toMillis(), policy.upStabilization().toMillis());
        state.recommendations.removeIf(r -> r.t <= now - keep);
        // Consecutive equal recommendations add nothing the windows need: keep the newest of a run only.
        int n = state.recommendations.size();
        if (n >= 3 && state.recommendations.get(n - 2).replicas == replicas && state.recommendations.get(n - 3).replicas == replicas) {
            state.recommendations.remove(n - 2);
        }
    }

    private int stabilize(long now, int candidate, int current) {
        if (candidate < current) {
            int highest = candidate;
            for (AutoscalerState.Recommendation r : state.recommendations) {
                if (r.t > now - policy.downStabilization().toMillis()) {
                    highest = Math.max(highest, r.replicas);
                }
            }
            return Math.min(current, highest);
        }
        if (candidate > current) {
            int lowest = candidate;
            for (AutoscalerState.Recommendation r : state.recommendations) {
                if (r.t > now - policy.upStabilization().toMillis()) {
                    lowest = Math.min(lowest, r.replicas);
                }
            }
            return Math.max(current, lowest);
        }
        return current;
    }

    /** HPA-style: changes are limited relative to the replicas at the start of the period. */
    private int rateLimit(long now, int desired, int current) {
        if (desired > current) {
            int start = current - netChangeSince(now - policy.upPeriod().toMillis());
            int allowed = start + Math.max(policy.upMaxPods(), (int) Math.ceil(start * policy.upMaxPercent() / 100.0));
            return Math.min(desired, Math.max(current, allowed));
        }
        if (desired < current) {
            int start = current - netChangeSince(now - policy.downPeriod().toMillis());
            int byPercent = (int) Math.ceil(start * (1 - policy.downMaxPercent() / 100.0));
            int byPods = policy.downMaxPods() > 0 ? start - policy.downMaxPods() : Integer.MAX_VALUE;
            int floor = Math.min(byPercent, byPods);
            return Math.max(desired, Math.min(current, floor));
        }
        return desired;
    }

    private int netChangeSince(long from) {
        int change = 0;
        for (AutoscalerState.ScaleEvent e : state.scaleEvents) {
            if (e.t > from) {
                change += e.to - e.from;
            }
        }
        return change;
    }

    private void reportOnce(String key, String message) {
        if (reported.add(key)) {
            log.warn("{} {}", name, message);
        }
    }

    private static String trimPercentile(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : Double.toString(p);
    }
}
