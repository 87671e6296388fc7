package io.scaledapi.simulator;

/**
 * A schedule that knows the future, run in the simulator like any policy: every second it asks for the most ready
 * pods that {@link ClairvoyantBound#needed} says any second of the next {@code lookahead} seconds needs, times a
 * margin. With a
 * lookahead of the slowest start-up, a pod asked for is ready by the second that needs it; a longer one starts pods
 * early, so that traffic warms their caches before the load gets there. Where the bound is what no schedule can beat,
 * this is what one that knows the future does achieve: the best policy lies between the two.
 */
final class ClairvoyantSchedule implements Policy {

    /** Seconds of lookahead beyond the slowest start-up that the benchmark tries, best per trace and weight. */
    static final int[] EXTRA_LEADS = {0, 5, 10, 20};
    /**
     * Multiples of the bound's needs that the benchmark tries: the bound gives every pod the best cache it could have
     * and the Service a perfectly even spread, so a schedule of exactly those needs runs short.
     */
    static final double[] MARGINS = {1.0, 1.25, 1.5};

    private final int[] needed;
    private final int lookahead;
    private final double margin;
    private final int minReplicas;
    private final int maxReplicas;

    ClairvoyantSchedule(ClairvoyantBound bound, int lookahead, double margin, int minReplicas, int maxReplicas) {
        this.needed = bound.needed();
        this.lookahead = lookahead;
        this.margin = margin;
        this.minReplicas = minReplicas;
        this.maxReplicas = maxReplicas;
    }

    /** Creation to ready at the most: a pod asked for this long ahead is ready in time, whatever its jitter. */
    static int slowestStartup(SimulationConfig.Fleet f) {
        return (int) Math.ceil(f.startupSeconds + f.startupJitterSeconds - 1e-9);
    }

    @Override
    public String name() {
        return "clairvoyant";
    }

    @Override
    public double periodSeconds() {
        return 1;
    }

    @Override
    public int decide(int nowSecond, int currentReplicas, FleetView fleet) {
        int most = minReplicas;
        for (int s = nowSecond; s < Math.min(needed.length, nowSecond + lookahead + 1); s++) {
            most = Math.max(most, (int) Math.ceil(needed[s] * margin - 1e-9));
        }
        return Math.min(maxReplicas, most);
    }
}
