package io.scaledapi.simulator;

/**
 * What a policy that knows the future could achieve on one trace and seed: the fewest replica-seconds with no bad
 * second it could have avoided. Every assumption is in the policy's favour, so that the figure is a lower bound:
 * <ul>
 *   <li>Each second needs {@link #needed} ready pods: the fewest for which pods sent equal shares, with nothing
 *       queued from before, keep that second's p95 under the SLO ({@link ResponseTimes}, the simulator's own model),
 *       each with the best cache it could have ({@link #upperHitRatio}): the pods there at the start one that saw
 *       every request the fleet got, the others one that saw every request since the earliest second a new pod can
 *       be ready (a new pod's cache is empty until it is ready).</li>
 *   <li>A pod is ready {@link #leadSeconds} after its creation: the fastest start-up the fleet's jitter allows.</li>
 *   <li>The policy decides every second, and removes the newest pods first, so that the pods it keeps are ready.</li>
 * </ul>
 * Under those, a pod ready at second s existed since s - lead, so the replicas at second t must be at least the most
 * any second in [t, t + lead] needs; and that many is enough. The bound is that sum. A second whose need no schedule
 * can meet (before a pod created at the start could be ready, or beyond {@code replicas.max}) is bad for every policy:
 * it is counted unavoidable and asks for nothing.
 *
 * @param replicaSeconds      the bound on C for a policy with only the unavoidable bad seconds
 * @param unavoidableBad      seconds no policy can keep good
 * @param needed              per second, the ready pods it needs (0 where unavoidable)
 */
record ClairvoyantBound(long replicaSeconds, int unavoidableBad, int[] needed) {

    /** J(w) of the bound: its replica-seconds plus w per unavoidable bad second. */
    double cost(double w) {
        return replicaSeconds + w * unavoidableBad;
    }

    static ClairvoyantBound of(FleetSimulator simulator, int minReplicas, int maxReplicas) {
        SimulationConfig.Fleet f = simulator.fleet();
        double[] arrivals = simulator.arrivals();
        KeyPopularity keys = simulator.keys();
        int initial = simulator.initialReplicas();
        int lead = leadSeconds(f);
        int seconds = arrivals.length;
        double[] fleetCache = keys.warmCache(simulator.trace().rateAt(0));
        // A new pod's cache is empty until it is ready, lead seconds after second 0 at the earliest.
        double[] newPodCache = keys.emptyCache();
        double[] sharedTier = f.sharedCache ? keys.warmCache(simulator.trace().rateAt(0)) : null;
        int[] needed = new int[seconds];
        int unavoidable = 0;
        for (int s = 0; s < seconds; s++) {
            double hit = upperHitRatio(f, keys, fleetCache, arrivals[s]);
            double newHit = s < lead
                    ? Double.NaN
                    : f.cacheWarmup.equals("linear")
                            ? f.warmHitRatio * Math.min(1, (s - lead) / f.cacheTtlSeconds)
                            : keys.serve(newPodCache, arrivals[s], 1);
            double sharedHit = sharedTier == null ? 0 : keys.serve(sharedTier, arrivals[s], 1);
            double missSeconds = (sharedHit * f.sharedServiceMs + (1 - sharedHit) * f.missServiceMs) / 1000;
            // Before the first pod created at second 0 is ready, only the pods there at the start are.
            int n = fewestGood(f, arrivals[s], hit, newHit, initial, missSeconds, s < lead ? initial : maxReplicas);
            boolean reachable = n >= 0;
            if (!reachable) {
                unavoidable++;
            }
            needed[s] = reachable ? n : 0;
        }
        return new ClairvoyantBound(replicaSeconds(needed, lead, minReplicas), unavoidable, needed);
    }

    /**
     * The fewest replica-seconds that have {@code needed[s]} pods ready at every second s when a pod is ready
     * {@code lead} seconds after its creation: at second t, the most any second in [t, t + lead] needs.
     */
    static long replicaSeconds(int[] needed, int lead, int minReplicas) {
        long replicaSeconds = 0;
        for (int t = 0; t < needed.length; t++) {
            int most = minReplicas;
            for (int s = t; s < Math.min(needed.length, t + lead + 1); s++) {
                most = Math.max(most, needed[s]);
            }
            replicaSeconds += most;
        }
        return replicaSeconds;
    }

    /** Creation to ready at the least: a pod created at second t serves from second t + lead. */
    static int leadSeconds(SimulationConfig.Fleet f) {
        return (int) Math.ceil(Math.max(1, f.startupSeconds - f.startupJitterSeconds) - 1e-9);
    }

    /**
     * The most any pod's cache can hit this second: a cache that saw every request the fleet got, which holds every
     * key any pod holds and fresher (it is updated here, once per second, with the second's arrivals).
     */
    static double upperHitRatio(SimulationConfig.Fleet f, KeyPopularity keys, double[] fleetCache, double arrived) {
        double hit = keys.serve(fleetCache, arrived, 1);
        return f.cacheWarmup.equals("linear") ? f.warmHitRatio : hit;
    }

    /**
     * The fewest pods, up to {@code max}, that keep a second good when each is sent an equal share of {@code arrived}
     * with nothing queued: the first {@code warm} of them hit {@code warmHit}, the rest {@code newHit}; 0 when nothing
     * arrives; -1 when none up to {@code max} can. More pods are not always better (a cold one serves its share
     * slowly), so this is the fewest, and any fleet smaller than it is bad.
     */
    static int fewestGood(
            SimulationConfig.Fleet f,
            double arrived,
            double warmHit,
            double newHit,
            int warm,
            double missSeconds,
            int max) {
        if (arrived <= 0) {
            return 0;
        }
        double slo = f.sloP95Ms / 1000;
        for (int n = 1; n <= max; n++) {
            double share = arrived / n;
            int warmPods = Math.min(n, warm);
            double slow = warmPods * slowShare(f, share, warmHit, missSeconds, slo);
            if (n > warmPods) {
                slow += (n - warmPods) * slowShare(f, share, newHit, missSeconds, slo);
            }
            if (slow / n <= FleetSimulator.SLOW_SHARE) {
                return n;
            }
        }
        return -1;
    }

    /** The share of one pod's responses over the SLO at {@code share} req/s with nothing queued. */
    private static double slowShare(
            SimulationConfig.Fleet f, double share, double hit, double missSeconds, double slo) {
        double hitSeconds = f.hitServiceMs / 1000 / f.capacityFactor;
        double miss = missSeconds / f.capacityFactor;
        if (share >= f.workersPerReplica / (hit * hitSeconds + (1 - hit) * miss)) {
            return 1; // it cannot keep up: what it serves waits behind what it cannot
        }
        return ResponseTimes.of(f.workersPerReplica, share, hit, hitSeconds, miss, 0)
                .slowerThan(slo);
    }
}
