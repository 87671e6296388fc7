package io.scaledapi.simulator;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * Replays a trace against a simulated fleet driven by one policy, second by second. Arrivals are Poisson (the same
 * total every second for every policy, from the seed) and the Service spreads them at random over the ready pods.
 * Each pod serves with {@code workers} servers whose service time is a hit or a miss of its own TTL cache, which
 * warms as its keys recur ({@link KeyPopularity}); requests beyond a pod's capacity queue, and beyond its queue bound
 * fail. Harm is counted per pod and per second: a second is bad when its p95 (over every pod's responses, from
 * {@link ResponseTimes}) is above the SLO or its failures exceed the budget. A pod's true capacity comes from this
 * model, never from a policy's target.
 */
public final class FleetSimulator {

    private static final int SAMPLES_PER_POD_SECOND = 8;
    /** A scale-up within this long after a scale-down reverses it (the end-to-end test's rule too). */
    static final int REVERSAL_WINDOW_SECONDS = 60;
    /** A second is slow when more than this share of its responses took longer than the SLO: its p95 passed it. */
    static final double SLOW_SHARE = 0.05;

    private final SimulationConfig.Fleet f;
    private final Trace trace;
    private final long seed;
    private final double[] arrivals;
    private final KeyPopularity keys;
    private final boolean linearWarmup;

    public FleetSimulator(SimulationConfig.Fleet fleet, Trace trace, long seed) {
        this.f = fleet;
        this.trace = trace;
        this.seed = seed;
        Random random = new Random(seed);
        arrivals = new double[trace.seconds()];
        for (int s = 0; s < arrivals.length; s++) {
            arrivals[s] = poisson(random, trace.rateAt(s));
        }
        linearWarmup = switch (fleet.cacheWarmup) {
            case "keys" -> false;
            case "linear" -> true;
            default ->
                throw new IllegalArgumentException(
                        "fleet.cacheWarmup must be keys or linear, got " + fleet.cacheWarmup);
        };
        keys = new KeyPopularity(fleet.keys, fleet.zipfExponent, fleet.cacheTtlSeconds);
    }

    SimulationConfig.Fleet fleet() {
        return f;
    }

    Trace trace() {
        return trace;
    }

    /** Each second's arrivals, the same for every policy run on this seed. */
    double[] arrivals() {
        return arrivals.clone();
    }

    KeyPopularity keys() {
        return keys;
    }

    /** The warm, ready pods the trace starts with. */
    int initialReplicas() {
        return trace.initialReplicas() != null ? trace.initialReplicas() : f.initialReplicas;
    }

    private final class Pod {
        final String name;
        final int created;
        final double runningAt;
        final double readyAt;
        final double[] cache;
        final CounterHistory history;
        double backlog;
        /** Seconds a request arriving now waits behind the backlog. */
        double wait;

        double arrivals;
        double requests;
        double hits;
        double misses;
        double durationSum;
        double durationCount;
        double sharedHits;
        double sharedMisses;

        Pod(String name, int created, double runningAt, double readyAt, double[] cache) {
            this.name = name;
            this.created = created;
            this.runningAt = runningAt;
            this.readyAt = readyAt;
            this.cache = cache;
            this.history = new CounterHistory(created);
        }

        boolean ready(double now) {
            return now >= readyAt;
        }

        /** This pod's hit ratio over a second in which {@code rate} requests arrive. */
        double serveFromCache(double rate, int now) {
            if (linearWarmup) {
                return f.warmHitRatio * Math.min(1, Math.max(0, now - readyAt) / f.cacheTtlSeconds);
            }
            return keys.serve(cache, rate, 1);
        }

        Policy.SimPod view(int now) {
            return new Policy.SimPod(
                    name,
                    created,
                    runningAt,
                    readyAt,
                    ready(now),
                    arrivals,
                    requests,
                    hits,
                    misses,
                    durationSum,
                    durationCount,
                    history,
                    f.sharedCache ? sharedHits : Double.NaN,
                    f.sharedCache ? sharedMisses : Double.NaN,
                    f.metricsApart || wait <= f.scrapeTimeoutSeconds,
                    backlog);
        }
    }

    public PolicyReport run(Policy policy) {
        return run(policy, true);
    }

    /** With {@code percentiles} false the report's p50/p95/p99 are not sampled (the benchmark needs only C and B). */
    public PolicyReport run(Policy policy, boolean percentiles) {
        return run(policy, percentiles, null);
    }

    /**
     * With a {@code timeline}, each second is also told as a CSV row: second, arrivals, pods, ready pods, ready
     * capacity, served, failed, share of responses over the SLO, bad (0/1).
     */
    public PolicyReport run(Policy policy, boolean percentiles, java.util.function.Consumer<String> timeline) {
        Random jitter = new Random(seed + 1);
        Random latencies = new Random(seed + 2);
        Random spread = new Random(seed + 3);
        Random counterNoise = new Random(seed + 4);
        List<Pod> pods = new ArrayList<>();
        int podNumber = 0;
        int initial = initialReplicas();
        double initialShare = trace.rateAt(0) / Math.max(1, initial);
        for (int i = 0; i < initial; i++) {
            // Warm and ready before the trace starts.
            pods.add(new Pod("pod-" + podNumber++, 0, -600, -600, keys.warmCache(initialShare)));
        }
        CounterHistory ingress = new CounterHistory(0);
        double ingressCount = 0;
        LatencyHistogram all = new LatencyHistogram();
        double[] readyCapacity = new double[trace.seconds()];
        int bad = 0;
        int slow = 0;
        int failing = 0;
        double failed = 0;
        long replicaSeconds = 0;
        int scaleEvents = 0;
        int reversals = 0;
        int lastDirection = 0;
        int reversalsWhileScaling = 0;
        int blindTicks = 0;
        int lastDownAt = Integer.MIN_VALUE / 2;
        double nextDecision = policy.phaseSeconds();
        double hitSeconds = f.hitServiceMs / 1000;
        double originSeconds = f.missServiceMs / 1000;
        double sharedSeconds = f.sharedServiceMs / 1000;
        // The shared tier sees the whole fleet's keys: its freshness follows the total arrival rate.
        double[] sharedTier = f.sharedCache ? keys.warmCache(trace.rateAt(0)) : null;
        double slo = f.sloP95Ms / 1000;
        List<Pod> ready = new ArrayList<>();
        for (int s = 0; s < trace.seconds(); s++) {
            if (s >= nextDecision - 1e-9) {
                nextDecision += policy.periodSeconds();
                int current = pods.size();
                List<Policy.SimPod> view = new ArrayList<>(pods.size());
                for (Pod p : pods) {
                    view.add(p.view(s));
                }
                int desired = policy.decide(s, current, new Policy.FleetView(view, ingress));
                boolean allReady = true;
                boolean drowning = false;
                for (Pod p : pods) {
                    allReady &= p.ready(s);
                    drowning |= p.ready(s) && p.wait > slo;
                }
                // Held (or went down) while a ready pod's queue alone passed the SLO and no scale-up was on its way.
                if (desired <= current && allReady && drowning) {
                    blindTicks++;
                }
                // A scale-down while pods of a scale-up are still starting, or a scale-up soon after a scale-down.
                if ((desired < current && !allReady)
                        || (desired > current && s - lastDownAt < REVERSAL_WINDOW_SECONDS)) {
                    reversalsWhileScaling++;
                }
                if (desired < current) {
                    lastDownAt = s;
                }
                if (desired != current) {
                    scaleEvents++;
                    int direction = Integer.signum(desired - current);
                    if (lastDirection != 0 && direction != lastDirection) {
                        reversals++;
                    }
                    lastDirection = direction;
                }
                while (pods.size() < desired) {
                    double startup =
                            Math.max(1, f.startupSeconds + (jitter.nextDouble() * 2 - 1) * f.startupJitterSeconds);
                    pods.add(new Pod(
                            "pod-" + podNumber++,
                            s,
                            s + Math.min(f.pendingSeconds, startup),
                            s + startup,
                            keys.emptyCache()));
                }
                while (pods.size() > desired) {
                    pods.remove(victim(pods, s));
                }
            }
            replicaSeconds += pods.size();
            ready.clear();
            for (Pod p : pods) {
                if (p.ready(s)) {
                    ready.add(p);
                }
            }
            double arrived = arrivals[s];
            ingressCount += arrived;
            double sharedHit = sharedTier == null ? 0 : keys.serve(sharedTier, arrived, 1);
            // A local miss costs a shared hit's time or the origin's: one mean "miss" time for the queueing model.
            double missSeconds = sharedHit * sharedSeconds + (1 - sharedHit) * originSeconds;
            double failedNow = 0;
            double served = 0;
            double slowServed = 0;
            if (ready.isEmpty()) {
                failedNow = arrived;
            } else {
                double[] shares = split(spread, arrived, ready.size());
                double capacityNow = 0;
                for (int i = 0; i < ready.size(); i++) {
                    Pod p = ready.get(i);
                    double share = shares[i];
                    double hit = p.serveFromCache(share, s);
                    double service = (hit * hitSeconds + (1 - hit) * missSeconds) / f.capacityFactor;
                    double capacity = f.workersPerReplica / service;
                    capacityNow += capacity;
                    // The requests served this second waited behind the backlog there was when they arrived.
                    ResponseTimes times = ResponseTimes.of(
                            f.workersPerReplica,
                            share,
                            hit,
                            hitSeconds / f.capacityFactor,
                            missSeconds / f.capacityFactor,
                            p.backlog / capacity);
                    double load = p.backlog + share;
                    double out = Math.min(load, capacity);
                    p.backlog = load - out;
                    if (p.backlog > f.queueBound) {
                        failedNow += p.backlog - f.queueBound;
                        p.backlog = f.queueBound;
                    }
                    p.wait = p.backlog / capacity;
                    served += out;
                    slowServed += out * times.slowerThan(slo);
                    p.arrivals += share;
                    p.requests += out;
                    p.hits += out * hit;
                    p.misses += out * (1 - hit);
                    p.sharedHits += out * (1 - hit) * sharedHit;
                    p.sharedMisses += out * (1 - hit) * (1 - sharedHit);
                    p.durationCount += out;
                    if (out > 0) {
                        // A real duration counter sums every response: its mean carries sampling noise of sd / sqrt(n).
                        double mean = times.mean() + Math.sqrt(times.variance() / out) * counterNoise.nextGaussian();
                        p.durationSum += out * Math.max(0, mean);
                    }
                    if (percentiles) {
                        for (int k = 0; k < SAMPLES_PER_POD_SECOND; k++) {
                            all.add(times.draw(latencies) * 1000, out / SAMPLES_PER_POD_SECOND);
                        }
                    }
                }
                readyCapacity[s] = capacityNow;
            }
            failed += failedNow;
            boolean isSlow = served > 0 ? slowServed > SLOW_SHARE * served : arrived > 0;
            boolean isFailing = failedNow > f.failureBudget * arrived && failedNow >= 1;
            slow += isSlow ? 1 : 0;
            failing += isFailing ? 1 : 0;
            bad += isSlow || isFailing ? 1 : 0;
            if (timeline != null) {
                timeline.accept(String.format(
                        java.util.Locale.ROOT,
                        "%d,%.0f,%d,%d,%.0f,%.0f,%.0f,%.3f,%d",
                        s,
                        arrived,
                        pods.size(),
                        ready.size(),
                        readyCapacity[s],
                        served,
                        failedNow,
                        served > 0 ? slowServed / served : 1,
                        isSlow || isFailing ? 1 : 0));
            }
            for (Pod p : pods) {
                p.history.add(p.requests);
            }
            ingress.add(ingressCount);
        }
        List<Integer> steps = new ArrayList<>();
        for (int step : trace.steps()) {
            int covered = -1;
            for (int s = step; s < trace.seconds(); s++) {
                if (readyCapacity[s] >= trace.rateAt(s)) {
                    covered = s - step;
                    break;
                }
            }
            steps.add(covered);
        }
        return new PolicyReport(
                replicaSeconds,
                bad,
                slow,
                failing,
                Math.round(failed),
                round(all.quantile(0.5)),
                round(all.quantile(0.95)),
                round(all.quantile(0.99)),
                scaleEvents,
                reversals,
                steps,
                reversalsWhileScaling,
                blindTicks);
    }

    /** The Service's random spread of one second's arrivals over n pods: a multinomial, drawn as normals. */
    private static double[] split(Random random, double arrived, int n) {
        double[] shares = new double[n];
        if (n == 1) {
            shares[0] = arrived;
            return shares;
        }
        double mean = arrived / n;
        double sd = Math.sqrt(mean * (1 - 1.0 / n));
        double sum = 0;
        for (int i = 0; i < n; i++) {
            shares[i] = Math.max(0, mean + sd * random.nextGaussian());
            sum += shares[i];
        }
        if (sum > 0) {
            for (int i = 0; i < n; i++) {
                shares[i] *= arrived / sum;
            }
        }
        return shares;
    }

    /** As a ReplicaSet picks: pods not yet ready first, then the newest. */
    private static int victim(List<Pod> pods, int now) {
        for (int i = pods.size() - 1; i >= 0; i--) {
            if (!pods.get(i).ready(now)) {
                return i;
            }
        }
        return pods.size() - 1;
    }

    private static double poisson(Random random, double lambda) {
        if (lambda <= 0) {
            return 0;
        }
        if (lambda > 50) {
            return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * random.nextGaussian()));
        }
        double l = Math.exp(-lambda);
        int k = 0;
        double p = 1;
        do {
            k++;
            p *= random.nextDouble();
        } while (p > l);
        return k - 1;
    }

    private static double round(double v) {
        return Math.round(v * 100) / 100.0;
    }
}
