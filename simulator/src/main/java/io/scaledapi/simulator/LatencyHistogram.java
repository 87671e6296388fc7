package io.scaledapi.simulator;

/** Weighted response times in logarithmic buckets (5 % wide), from 0.1 ms to about 100 s, for percentiles. */
final class LatencyHistogram {

    private static final double FIRST_MS = 0.1;
    private static final double GROWTH = 1.05;
    private static final int BUCKETS = 290;
    private final double[] weights = new double[BUCKETS];
    private double total;

    void add(double millis, double weight) {
        if (weight <= 0) {
            return;
        }
        int bucket = millis <= FIRST_MS
                ? 0
                : (int) Math.min(BUCKETS - 1, Math.ceil(Math.log(millis / FIRST_MS) / Math.log(GROWTH)));
        weights[bucket] += weight;
        total += weight;
    }

    void clear() {
        java.util.Arrays.fill(weights, 0);
        total = 0;
    }

    boolean isEmpty() {
        return total == 0;
    }

    /** The upper bound of the bucket holding the q-quantile, in milliseconds. */
    double quantile(double q) {
        if (total == 0) {
            return 0;
        }
        double target = q * total;
        double seen = 0;
        for (int i = 0; i < BUCKETS; i++) {
            seen += weights[i];
            if (seen >= target) {
                return FIRST_MS * Math.pow(GROWTH, i);
            }
        }
        return FIRST_MS * Math.pow(GROWTH, BUCKETS - 1);
    }
}
