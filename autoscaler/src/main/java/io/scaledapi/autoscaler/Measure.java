package io.scaledapi.autoscaler;

import io.scaledapi.autoscaler.AutoscalerState.PodCounterState;
import io.scaledapi.autoscaler.AutoscalerState.RateSample;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The first stage: one tick's pod snapshots become per-pod and fleet rates. Counters become rates by differences
 * between scrapes of the same pod (a counter that went down belongs to a restarted process: its new value is the
 * increase; a pod's first scrape gives no rate). Garbage (negative or non-finite values, an impossible jump) is
 * dropped for that pod and tick. Pods that could not be measured are counted idle in the rate used to scale up and
 * fully loaded in the rate used to scale down (the HPA's conservative rule), except a busy pod: one whose scrape
 * timed out while there is evidence it is loaded counts as saturated ({@link #loaded}), never idle.
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

    /**
     * A wait of at least {@link #SATURATED_EXCESS_SECONDS} that grows by more than this many seconds per second is a
     * filling queue: what arrives exceeds what the pod serves by that share ({@link PodRate#arrivals}). That needs no
     * healthy figure to compare with, so it holds from the first ticks a fleet is measured, even one overloaded from
     * the start.
     */
    static final double FILLING_GROWTH = 0.1;

    /** A pod whose last measured rate was this share of the per-pod target (or of its measured capacity) was loaded. */
    static final double LOADED_SHARE = 0.8;

    /**
     * How long a loaded pod that stopped answering its scrapes is still counted saturated. Past this, it is counted
     * as any unmeasured pod is: a minute of silence is a problem of its own, not evidence of load.
     */
    static final long BLIND_MILLIS = 60_000;

    /** The moving average's weight of a new capacity observation. */
    static final double CAPACITY_WEIGHT = 0.3;

    /** A pod using this share of its CPU limit or more is at its limit: evidence that it is loaded. */
    static final double CPU_AT_LIMIT = 0.9;

    /**
     * From this share of its CPU limit up, what a pod serves per CPU-second (served / share) is a floor on its
     * capacity: the CPU a JVM spends whatever the load (its collector, its compiler, scrapes) makes it look weaker, the
     * more so the less it serves. Only a pod at {@link #CPU_AT_LIMIT} tells its capacity; a floor may only raise it. A
     * first pod still compiling served 81 req/s on over half its limit, and taken as its capacity that scaled an
     * end-to-end run to 2 at 100 req/s, and back, and up again within the minute.
     */
    static final double CPU_MEASURABLE = 0.5;

    private Measure() {}

    /**
     * One pod's rate over the tick, its mean response time (NaN when it exports no durations), and how fast that
     * grew since the tick before (seconds per second, negative while its queue drains, 0 when unknown).
     */
    record PodRate(
            String name, double rate, double responseSeconds, double responseGrowth, boolean blind, double cpuShare) {

        PodRate(String name, double rate, double responseSeconds, double responseGrowth) {
            this(name, rate, responseSeconds, responseGrowth, false, Double.NaN);
        }

        /** A loaded pod whose scrape timed out: saturated, at least at the rate it last served. */
        static PodRate blind(String name, double lastRate) {
            return new PodRate(name, lastRate, Double.POSITIVE_INFINITY, 0, true, Double.NaN);
        }

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

        /** Its queue fills: a wait of a tenth of a second or more, growing by over {@link #FILLING_GROWTH} s per second. */
        boolean filling() {
            return responseSeconds >= SATURATED_EXCESS_SECONDS && responseGrowth > FILLING_GROWTH;
        }

        /** Not keeping up: blind while loaded, its queue filling, or its response time past {@code limit}. */
        boolean saturated(double limit) {
            return blind || filling() || responseSeconds > limit;
        }
    }

    /**
     * What the tick measured: {@code served} what the pods answered, {@code rate} the fleet's request rate (saturated
     * pods at the healthy pods' share); {@code hold} is why there is nothing to decide on, or null.
     */
    record Result(
            int ready,
            int scraped,
            int measured,
            double served,
            RequestRate rate,
            Double hits,
            Double misses,
            Double durationSum,
            Double durationCount,
            String hold,
            boolean metricsAvailable,
            String message,
            Double sharedHits,
            Double sharedMisses,
            Map<String, Double> localHitRates,
            List<Double> newPodColdness,
            List<String> blind) {

        /** Why metrics are incomplete though a decision could be made ({@link #SCRAPE_TIMEOUT}), or null. */
        String problem() {
            return blind.isEmpty() ? null : SCRAPE_TIMEOUT;
        }

        /** Whether some pod was saturated, so that demand was estimated above what was served. */
        boolean saturated() {
            return rate.low() > served * 1.001;
        }

        RateSample sample(long now) {
            RateSample sample = new RateSample(now, rate, hits, misses, durationSum, durationCount);
            sample.sharedHits = sharedHits;
            sample.sharedMisses = sharedMisses;
            return sample;
        }
    }

    /** The reason given when loaded pods' scrapes timed out and they were counted saturated. */
    static final String SCRAPE_TIMEOUT = "ScrapeTimeout";

    /** Where a pod's problem is reported: the caller logs each (pod, problem) once. */
    @FunctionalInterface
    interface Problems {
        void report(String pod, String problem, String message);
    }

    static Result measure(
            List<PodSnapshot> pods, AutoscalerState state, long now, ScalingPolicy policy, Problems warnOnce) {
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
        // Pods that count what was sent to them (read and waiting unread) tell their demand, whatever they served.
        double arrivalDemand = 0;
        int withArrivals = 0;
        String firstFailure = null;
        List<String> blind = new ArrayList<>();
        for (PodSnapshot pod : pods) {
            if (!pod.ready()) {
                continue;
            }
            ready++;
            PodCounters c = pod.counters();
            PodCounterState last = previous.get(pod.name());
            if (c == null
                    && pod.noFullAnswer()
                    && last != null
                    && now - last.t <= BLIND_MILLIS
                    && loaded(last, policy, state)) {
                // Busy, not idle: its counters are kept, so that its next answer's increase spans the silence.
                warnOnce.report(
                        pod.name(),
                        "blind",
                        String.format(
                                Locale.ROOT,
                                "pod %s gave no full answer to its scrape "
                                        + "while it was loaded (last %,.0f req/s): counted saturated until it answers",
                                pod.name(),
                                last.rate));
                blind.add(pod.name());
                next.add(last);
                rates.add(PodRate.blind(pod.name(), last.rate));
                continue;
            }
            if (c == null || !c.isValid()) {
                if (c != null) {
                    warnOnce.report(
                            pod.name(),
                            "invalid",
                            "pod " + pod.name() + " reported a negative or non-finite counter; ignored while it does");
                } else {
                    warnOnce.report(
                            pod.name(), pod.failure(), "pod " + pod.name() + " could not be scraped: " + pod.failure());
                }
                firstFailure = firstFailure != null
                        ? firstFailure
                        : pod.name() + ": " + (c == null ? pod.failure() : "invalid counters");
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
                warnOnce.report(
                        pod.name(),
                        "jump",
                        String.format(
                                Locale.ROOT,
                                "pod %s's request counter jumped by %,.0f req/s; ignored for this tick",
                                pod.name(),
                                rate));
                continue;
            }
            if (prev.hits != null
                    && prev.misses != null
                    && Double.isFinite(c.cacheHits())
                    && Double.isFinite(c.cacheMisses())) {
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
            if (prev.sharedHits != null
                    && prev.sharedMisses != null
                    && Double.isFinite(c.sharedHits())
                    && Double.isFinite(c.sharedMisses())) {
                shared = true;
                sharedHits += increase(c.sharedHits(), prev.sharedHits) / seconds;
                sharedMisses += increase(c.sharedMisses(), prev.sharedMisses) / seconds;
            }
            double response = Double.NaN;
            double growth = 0;
            if (prev.durationSum != null
                    && prev.durationCount != null
                    && Double.isFinite(c.durationSum())
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
            // The share of its CPU limit it used: the node's accounting, as the pod reports it of itself.
            double cpuShare = prev.cpuSeconds != null && Double.isFinite(c.cpuSeconds()) && pod.cpuLimitCores() > 0
                    ? increase(c.cpuSeconds(), prev.cpuSeconds) / seconds / pod.cpuLimitCores()
                    : Double.NaN;
            PodCounterState measuredNow = next.get(next.size() - 1);
            measuredNow.responseSeconds = Double.isFinite(response) ? response : null;
            measuredNow.rate = rate;
            measuredNow.responseGrowth = growth;
            measuredNow.cpuShare = Double.isFinite(cpuShare) ? cpuShare : null;
            rates.add(new PodRate(pod.name(), rate, response, growth, false, cpuShare));
            if (prev.arrivals != null && Double.isFinite(c.arrivals())) {
                // A throttled pod reads only as fast as it serves: what waits unread is the rest of what was sent.
                double backlogGrowth =
                        prev.unread != null && Double.isFinite(c.unread()) ? c.unread() - prev.unread : 0;
                double sent = increase(c.arrivals(), prev.arrivals) + backlogGrowth;
                // Never below what it served: a backlog draining is not less demand.
                arrivalDemand += Math.max(rate, sent / seconds);
                withArrivals++;
            }
        }
        state.pods = next;
        int measured = rates.size();
        if (ready == 0) {
            return held(ready, scraped, "no ready pods to measure", false, "no pod is ready yet");
        }
        if (scraped == 0 && blind.isEmpty()) {
            return held(
                    ready,
                    scraped,
                    "no pod could be scraped",
                    false,
                    "none of the " + ready + " ready pods could be scraped: " + firstFailure);
        }
        if (measured == 0) {
            return held(
                    ready,
                    scraped,
                    "waiting for a second scrape to compute rates",
                    true,
                    scraped + " of " + ready + " ready pods scraped; rates need two scrapes");
        }
        double served = 0;
        for (PodRate r : rates) {
            served += r.rate();
        }
        // A slowly rising floor: the best fleet mean seen, forgotten at 1 % a tick so it follows a changed workload. A
        // tick where a queue fills or a loaded pod is blind is overload, never a healthy figure: a fleet overloaded
        // from
        // its first tick would otherwise take seconds of queueing for normal.
        boolean overloaded = rates.stream().anyMatch(r -> r.blind() || r.filling());
        if (durations && durationCount > 0 && !overloaded) {
            double fleetResponse = durationSum / durationCount;
            state.healthyResponseSeconds = state.healthyResponseSeconds == null
                    ? fleetResponse
                    : Math.min(fleetResponse, state.healthyResponseSeconds * 1.01);
        }
        double healthySeconds = state.healthyResponseSeconds == null ? Double.NaN : state.healthyResponseSeconds;
        // Every measured pod counted what was sent to it: that is demand, measured. It cannot see what never reached
        // a pod (a client's pool at its limit, connections refused), and the saturation estimate can: the higher.
        boolean arrivalsCounted = withArrivals == measured && blind.isEmpty();
        double guessed = Math.max(served, saturationAwareDemand(rates, ready, healthySeconds));
        double low = arrivalsCounted ? Math.max(guessed, arrivalDemand) : guessed;
        learnCapacity(rates, pods, now, policy, state, healthySeconds);
        markSaturated(rates, next, healthySeconds);
        int unmeasured = ready - measured;
        double perPod = served / measured;
        double fullLoad = Math.max(policy.target().requestsPerSecond(), perPod);
        String message = (measured - blind.size()) + " of " + ready + " ready pods measured"
                + (blind.isEmpty()
                        ? ""
                        : String.format(
                                Locale.ROOT,
                                "; %d loaded gave no full answer (%s), counted saturated",
                                blind.size(),
                                String.join(", ", blind)))
                + (unmeasured > 0 ? " (the others counted idle when scaling up, fully loaded when scaling down)" : "")
                + (low > served * 1.001
                        ? String.format(
                                Locale.ROOT,
                                arrivalsCounted && arrivalDemand >= guessed
                                        ? "; %,.0f req/s sent, %,.0f served"
                                        : "; saturated pods: demand taken as %,.0f req/s, %,.0f served",
                                low,
                                served)
                        : "");
        // Scaling down judges the high figure: never below what a saturated fleet is taken to hide.
        double high = Math.max(low, served + unmeasured * fullLoad);
        return new Result(
                ready,
                scraped,
                measured,
                served,
                new RequestRate(low, high),
                cache ? hits : null,
                cache ? misses : null,
                durations ? durationSum : null,
                durations ? durationCount : null,
                null,
                true,
                message,
                shared ? sharedHits : null,
                shared ? sharedMisses : null,
                Map.copyOf(localHitRates),
                coldness(newPodHitRatios, hits, misses),
                List.copyOf(blind));
    }

    /**
     * Whether a pod, as last measured, was loaded: its rate near or above the per-pod target or the capacity pods were
     * measured to carry, its response time rising, its CPU at its limit, or it was saturated.
     */
    static boolean loaded(PodCounterState last, ScalingPolicy policy, AutoscalerState state) {
        if (last.rate == null) {
            return false;
        }
        double target = policy.target().requestsPerSecond();
        boolean nearTarget = target > 0 && last.rate >= LOADED_SHARE * target;
        boolean nearCapacity = state.podCapacity != null && last.rate >= LOADED_SHARE * state.podCapacity;
        boolean rising = last.responseSeconds != null
                && last.responseGrowth != null
                && last.responseGrowth > DRAINING_SHARE * last.responseSeconds;
        boolean cpuAtLimit = last.cpuShare != null && last.cpuShare >= CPU_AT_LIMIT;
        return nearTarget || nearCapacity || rising || cpuAtLimit || Boolean.TRUE.equals(last.saturated);
    }

    /**
     * What one pod carries, learned from the pods themselves (a moving average, warm pods only: a pod just ready is
     * still compiling and filling its cache). Where pods export their CPU time and have a CPU limit, from what they
     * serve per share of it once they are at it ({@link #CPU_AT_LIMIT}): so it is known as soon as a pod is loaded,
     * before its queue builds. Otherwise from saturated pods whose queues are not draining (they serve what they can).
     * A pod that carries a rate without saturating can carry at least that, and at least what it serves per share of
     * its limit ({@link #CPU_MEASURABLE}): floors, which raise a known capacity but never set one. Null until then.
     */
    private static void learnCapacity(
            List<PodRate> rates,
            List<PodSnapshot> pods,
            long now,
            ScalingPolicy policy,
            AutoscalerState state,
            double healthySeconds) {
        double limit = saturationLimit(healthySeconds);
        Map<String, PodSnapshot> byName = new HashMap<>();
        pods.forEach(p -> byName.put(p.name(), p));
        double saturatedSum = 0;
        int saturatedCount = 0;
        double mostHealthy = 0;
        double cpuFloor = 0;
        List<Double> perCpu = new ArrayList<>();
        for (PodRate r : rates) {
            PodSnapshot pod = byName.get(r.name());
            if (r.blind() || pod == null || newlyReady(pod, now, policy)) {
                continue;
            }
            if (r.cpuShare() >= CPU_AT_LIMIT) {
                perCpu.add(r.rate() / Math.min(1, r.cpuShare()));
            } else if (r.cpuShare() >= CPU_MEASURABLE) {
                cpuFloor = Math.max(cpuFloor, r.rate() / r.cpuShare());
            }
            if (Double.isNaN(r.responseSeconds())) {
                continue;
            }
            if (r.saturated(limit)) {
                if (!r.draining()) {
                    saturatedSum += r.rate();
                    saturatedCount++;
                }
            } else {
                mostHealthy = Math.max(mostHealthy, r.rate());
            }
        }
        if (!perCpu.isEmpty()) {
            perCpu.sort(null);
            double observed = perCpu.get(perCpu.size() / 2);
            state.podCapacity = state.podCapacity == null
                    ? observed
                    : (1 - CAPACITY_WEIGHT) * state.podCapacity + CAPACITY_WEIGHT * observed;
        } else if (saturatedCount > 0) {
            // A pod that keeps up beside a saturated one carries more than that one served: one slow pod is not the
            // measure of every pod.
            double observed = Math.max(saturatedSum / saturatedCount, mostHealthy);
            state.podCapacity = state.podCapacity == null
                    ? observed
                    : (1 - CAPACITY_WEIGHT) * state.podCapacity + CAPACITY_WEIGHT * observed;
        } else if (state.podCapacity != null && Math.max(mostHealthy, cpuFloor) > state.podCapacity) {
            state.podCapacity = Math.max(mostHealthy, cpuFloor);
        }
    }

    /** Each measured pod's state remembers whether it was saturated, as evidence should its scrapes time out. */
    private static void markSaturated(List<PodRate> rates, List<PodCounterState> next, double healthySeconds) {
        double limit = saturationLimit(healthySeconds);
        Map<String, PodCounterState> byName = new HashMap<>();
        next.forEach(p -> byName.put(p.name, p));
        for (PodRate r : rates) {
            PodCounterState s = byName.get(r.name());
            if (s != null && !r.blind()) {
                s.saturated = !Double.isNaN(r.responseSeconds()) && r.saturated(limit) ? Boolean.TRUE : null;
            }
        }
    }

    /** The response time past which a pod is saturated: a multiple of the healthy figure and a margin above it. */
    static double saturationLimit(double healthySeconds) {
        return healthySeconds > 0
                ? Math.max(SATURATED_RESPONSE_FACTOR * healthySeconds, healthySeconds + SATURATED_EXCESS_SECONDS)
                : Double.POSITIVE_INFINITY;
    }

    /** A pod that became ready within the last three intervals: what it serves now is what a new pod serves. */
    private static boolean newlyReady(PodSnapshot pod, long now, ScalingPolicy policy) {
        return pod.startedAt() != null
                && pod.readySince() != null
                && now - pod.readySince().toEpochMilli()
                        <= 3 * policy.interval().toMillis();
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
        return new Result(
                ready,
                scraped,
                0,
                Double.NaN,
                RequestRate.UNKNOWN,
                null,
                null,
                null,
                null,
                hold,
                available,
                message,
                null,
                null,
                Map.of(),
                List.of(),
                List.of());
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
        if (pods.isEmpty()) {
            return 0;
        }
        // Response times tell only when every answering pod has them; a blind pod tells by itself.
        boolean judged = pods.stream().allMatch(p -> p.blind() || !Double.isNaN(p.responseSeconds()));
        double limit = saturationLimit(healthySeconds);
        List<Double> healthy = new ArrayList<>();
        double arrivals = 0; // saturated pods' arrivals from their queues' growth, plus healthy pods' rates
        double hidden = 0; // with every pod saturated: the demand its served counter can hide, pod by pod
        int saturated = 0;
        for (PodRate pod : pods) {
            if (pod.blind() || (judged && pod.saturated(limit))) {
                saturated++;
                arrivals += pod.arrivals();
                hidden += pod.draining() ? pod.rate() : Math.max(HIDDEN_DEMAND_FACTOR * pod.rate(), pod.arrivals());
            } else {
                healthy.add(pod.rate());
                arrivals += pod.rate();
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
