package io.scaledapi.operator.autoscaling;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import io.scaledapi.operator.autoscaling.AutoscalerState.PodCounterState;
import io.scaledapi.operator.autoscaling.AutoscalerState.RateSample;

/**
 * The first stage: one tick's pod snapshots become per-pod and fleet rates. Counters become rates by differences
 * between scrapes of the same pod (a counter that went down belongs to a restarted process: its new value is the
 * increase; a pod's first scrape gives no rate). Garbage (negative or non-finite values, an impossible jump) is
 * dropped for that pod and tick. Pods that could not be measured are counted idle in the rate used to scale up and
 * fully loaded in the rate used to scale down (the HPA's conservative rule).
 */
final class Measure {

    /** A per-pod rate above this is a counter gone wrong, not traffic. */
    static final double MAX_POD_RATE = 1_000_000;
    /** A pod is saturated when its mean response time is this multiple of the fleet's healthy one ... */
    static final double SATURATED_RESPONSE_FACTOR = 3.0;
    /**
     * ... and at least this much above it: a queue, not a cold cache or a CPU quota. A new pod's misses make it
     * several times slower than a warm one without anything waiting, and CFS throttling near a pod's CPU limit adds
     * tens of milliseconds (the end-to-end test saw 2 pods at 87 % of their capacity taken for saturated at 50 ms);
     * a backlog adds tenths of seconds.
     */
    static final double SATURATED_EXCESS_SECONDS = 0.1;

    /**
     * When every pod is saturated, what a pod whose queue is not draining is taken to have been sent, as a multiple
     * of what it served: the served counter cannot show more, and every round of guessing costs a pod start-up.
     * Chosen on the simulator's benchmark: 2 and 3 reached a flash crowd's size one round later; 4 overshoots a
     * mild overload for less than the bad seconds it saves.
     */
    static final double HIDDEN_DEMAND_FACTOR = 4.0;

    /** A queue whose wait falls by more than this share of itself per second is draining, not just noisy. */
    static final double DRAINING_SHARE = 0.1;

    private Measure() {
    }

    /**
     * One pod's rate over the tick, its mean response time (NaN when it exports no durations), and how fast that
     * grew since the tick before (seconds per second, negative while its queue drains, 0 when unknown).
     */
    record PodRate(String name, double rate, double responseSeconds, double responseGrowth) {

        /**
         * What arrived at a pod whose queue grows: a queue that grows by g seconds of waiting per second grows by
         * g x rate requests per second beyond what was served, so arrivals = rate x (1 + g).
         */
        double arrivals() {
            return rate * (1 + Math.max(0, responseGrowth));
        }

        /** Its queue shrinks: the response time fell by more than a tenth of itself per second. */
        boolean draining() {
            return responseGrowth < -DRAINING_SHARE * responseSeconds;
        }
    }

    /**
     * What the tick measured. {@code demand} is the rate to scale up on (unmeasured pods idle, saturated pods at the
     * healthy pods' share), {@code high} the rate to scale down on (unmeasured pods fully loaded); {@code hold} is
     * why there is nothing to decide on, or null.
     */
    record Result(int ready, int scraped, int measured, double served, double demand, double high, Double hits,
            Double misses, Double durationSum, Double durationCount, String hold, boolean metricsAvailable,
            String message, Double sharedHits, Double sharedMisses, Map<String, Double> localHitRates,
            List<Double> newPodColdness) {

        /** Whether some pod was saturated, so that demand was estimated above what was served. */
        boolean saturated() {
            return demand > served * 1.001;
        }

        RateSample sample(long now) {
            RateSample sample = new RateSample(now, demand, high, hits, misses, durationSum, durationCount);
            sample.sharedHits = sharedHits;
            sample.sharedMisses = sharedMisses;
            return sample;
        }
    }

    /** Where a pod's problem is reported: the caller logs each (pod, problem) once. */
    @FunctionalInterface
    interface Problems {
        void report(String pod, String problem, String message);
    }

    static Result measure(List<PodSnapshot> pods, AutoscalerState state, long now, ScalingPolicy policy,
            Problems warnOnce) {
        Map<String, PodCounterState> previous = new HashMap<>();
        state.pods.forEach(p -> previous.put(p.name, p));
        List<PodCounterState> next = new ArrayList<>();
        List<PodRate> rates = new ArrayList<>();
        int ready = 0;
        int scraped = 0;
        double hits = 0, misses = 0, durationSum = 0, durationCount = 0, sharedHits = 0, sharedMisses = 0;
        boolean cache = false, durations = false, shared = false;
        Map<String, Double> localHitRates = new HashMap<>();
        Map<String, Double> newPodHitRatios = new HashMap<>();
        String firstFailure = null;
        for (PodSnapshot pod : pods) {
            if (!pod.ready()) {
                continue;
            }
            ready++;
            PodCounters c = pod.counters();
            if (c == null || !c.isValid()) {
                if (c != null) {
                    warnOnce.report(pod.name(), "invalid", "pod " + pod.name()
                            + " reported a negative or non-finite counter; ignored while it does");
                } else {
                    warnOnce.report(pod.name(), pod.failure(), "pod " + pod.name() + " could not be scraped: " + pod.failure());
                }
                firstFailure = firstFailure != null ? firstFailure : pod.name() + ": " + (c == null ? pod.failure() : "invalid counters");
                continue;
            }
            scraped++;
            next.add(new PodCounterState(pod.name(), now, c));
            PodCounterState prev = previous.get(pod.name());
            if (prev == null || now <= prev.t) {
                continue;
            }
            double seconds = (now - prev.t) / 1000.0;
            double rate = increase(c.requests(), prev.requests) / seconds;
            if (rate > MAX_POD_RATE) {
                warnOnce.report(pod.name(), "jump", String.format(Locale.ROOT,
                        "pod %s's request counter jumped by %,.0f req/s; ignored for this tick", pod.name(), rate));
                continue;
            }
            if (prev.hits != null && prev.misses != null && Double.isFinite(c.cacheHits()) && Double.isFinite(c.cacheMisses())) {
                cache = true;
                double podHits = increase(c.cacheHits(), prev.hits) / seconds;
                double podMisses = increase(c.cacheMisses(), prev.misses) / seconds;
                hits += podHits;
                misses += podMisses;
                localHitRates.put(pod.name(), podHits);
                if (newlyReady(pod, now, policy) && podHits + podMisses > 0) {
                    newPodHitRatios.put(pod.name(), podHits / (podHits + podMisses));
                }
            }
            if (prev.sharedHits != null && prev.sharedMisses != null && Double.isFinite(c.sharedHits())
                    && Double.isFinite(c.sharedMisses())) {
                shared = true;
                sharedHits += increase(c.sharedHits(), prev.sharedHits) / seconds;
                sharedMisses += increase(c.sharedMisses(), prev.sharedMisses) / seconds;
            }
            double response = Double.NaN;
            double growth = 0;
            if (prev.durationSum != null && prev.durationCount != null && Double.isFinite(c.durationSum())
                    && Double.isFinite(c.durationCount())) {
                durations = true;
                double sum = increase(c.durationSum(), prev.durationSum) / seconds;
                double count = increase(c.durationCount(), prev.durationCount) / seconds;
                durationSum += sum;
                durationCount += count;
                response = count > 0 ? sum / count : Double.NaN;
                if (prev.responseSeconds != null && Double.isFinite(response)) {
                    growth = (response - prev.responseSeconds) / seconds;
                }
            }
            next.get(next.size() - 1).responseSeconds = Double.isFinite(response) ? response : null;
            rates.add(new PodRate(pod.name(), rate, response, growth));
        }
        state.pods = next;
        int measured = rates.size();
        if (ready == 0) {
            return held(ready, scraped, "no ready pods to measure", false, "no pod is ready yet");
        }
        if (scraped == 0) {
            return held(ready, scraped, "no pod could be scraped", false,
                    "none of the " + ready + " ready pods could be scraped: " + firstFailure);
        }
        if (measured == 0) {
            return held(ready, scraped, "waiting for a second scrape to compute rates", true,
                    scraped + " of " + ready + " ready pods scraped; rates need two scrapes");
        }
        double served = 0;
        for (PodRate r : rates) {
            served += r.rate();
        }
        if (durations && durationCount > 0) {
            // A slowly rising floor: the best fleet mean seen, forgotten at 1 % a tick so it follows a changed workload.
            double fleetResponse = durationSum / durationCount;
            state.healthyResponseSeconds = state.healthyResponseSeconds == null ? fleetResponse
                    : Math.min(fleetResponse, state.healthyResponseSeconds * 1.01);
        }
        double demand = Math.max(served, saturationAwareDemand(rates, ready,
                state.healthyResponseSeconds == null ? Double.NaN : state.healthyResponseSeconds));
        int unmeasured = ready - measured;
        double perPod = served / measured;
        double fullLoad = Math.max(policy.target().requestsPerSecond(), perPod);
        String message = measured + " of " + ready + " ready pods measured"
                + (unmeasured > 0 ? " (the others counted idle when scaling up, fully loaded when scaling down)" : "")
                + (demand > served * 1.001 ? String.format(Locale.ROOT, "; saturated pods: demand taken as %,.0f req/s, %,.0f served", demand, served) : "");
        // Scaling down judges the high figure: never below what a saturated fleet is taken to hide.
        double high = Math.max(demand, served + unmeasured * fullLoad);
        return new Result(ready, scraped, measured, served, demand, high,
                cache ? hits : null, cache ? misses : null, durations ? durationSum : null,
                durations ? durationCount : null, null, true, message, shared ? sharedHits : null,
                shared ? sharedMisses : null, Map.copyOf(localHitRates), coldness(newPodHitRatios, hits, misses));
    }

    /** A pod that became ready within the last three intervals: what it serves now is what a new pod serves. */
    private static boolean newlyReady(PodSnapshot pod, long now, ScalingPolicy policy) {
        return pod.startedAt() != null && pod.readySince() != null
                && now - pod.readySince().toEpochMilli() <= 3 * policy.interval().toMillis();
    }

    /**
     * Below this shortfall a new pod counts as warm: warm pods' hit ratios differ by a few points anyway (which rare
     * keys each happens to hold), and counting that as a cold start added a pod to every scale-up (an end-to-end run
     * went from 2 to 6 pods where 5 were needed, and its p95 failed while the four started on two cores).
     */
    static final double WARM_ENOUGH = 0.1;

    /**
     * Each new pod's shortfall in local hit ratio against the fleet's, as a share of the fleet's: 0 when it hits
     * within {@link #WARM_ENOUGH} of the others, 1 when it never hits. Nothing when the fleet itself hardly hits.
     */
    static List<Double> coldness(Map<String, Double> newPodHitRatios, double hits, double misses) {
        double fleet = hits + misses > 0 ? hits / (hits + misses) : 0;
        if (fleet < 0.05) {
            return List.of();
        }
        List<Double> out = new ArrayList<>();
        newPodHitRatios.values().forEach(h -> {
            double shortfall = Math.max(0, Math.min(1, (fleet - h) / fleet));
            out.add(shortfall < WARM_ENOUGH ? 0 : shortfall);
        });
        return out;
    }

    private static Result held(int ready, int scraped, String hold, boolean available, String message) {
        return new Result(ready, scraped, 0, Double.NaN, Double.NaN, Double.NaN, null, null, null, null, hold,
                available, message, null, null, Map.of(), List.of());
    }

    /**
     * What the pods served understates what arrived when some are saturated: queued requests are counted only once
     * served. Their response times show it: a pod whose mean is well above the fleet's healthy one, by a factor and
     * by a margin no cold cache explains, is not keeping up. The Service spreads requests evenly, so a healthy pod's
     * rate is every ready pod's share; a saturated pod whose queue grows shows its own arrivals in that growth. When
     * every pod is saturated, a pod whose queue is not draining is taken to have been sent at least
     * {@link #HIDDEN_DEMAND_FACTOR} times what it served (a draining queue means it is
     * catching up: what it served is what arrived, at most). 0 when nothing is saturated or nothing tells.
     */
    static double saturationAwareDemand(List<PodRate> pods, int ready, double healthySeconds) {
        if (!(healthySeconds > 0) || pods.isEmpty()) {
            return 0;
        }
        double limit = Math.max(SATURATED_RESPONSE_FACTOR * healthySeconds, healthySeconds + SATURATED_EXCESS_SECONDS);
        List<Double> healthy = new ArrayList<>();
        double served = 0;
        double arrivals = 0; // saturated pods' arrivals from their queues' growth, plus healthy pods' rates
        double hidden = 0; // with every pod saturated: the demand its served counter can hide, pod by pod
        int saturated = 0;
        for (PodRate pod : pods) {
            if (Double.isNaN(pod.responseSeconds())) {
                return 0;
            }
            served += pod.rate();
            if (pod.responseSeconds() <= limit) {
                healthy.add(pod.rate());
                arrivals += pod.rate();
            } else {
                saturated++;
                arrivals += pod.arrivals();
                hidden += pod.draining() ? pod.rate() : Math.max(HIDDEN_DEMAND_FACTOR * pod.rate(), pod.arrivals());
            }
        }
        if (saturated == 0) {
            return 0;
        }
        double perPod = arrivals / pods.size();
        if (healthy.isEmpty()) {
            return Math.max(hidden, arrivals); // pods not measured yet count idle, as when scaling up at all
        }
        healthy.sort(null);
        return Math.max(healthy.get(healthy.size() / 2), perPod) * ready;
    }

    /** A counter that went down belongs to a restarted process: all of its new value is the increase. */
    static double increase(double now, double before) {
        return now >= before ? now - before : now;
    }
}
