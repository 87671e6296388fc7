package io.scaledapi.simulator;

/**
 * The catalog's keys under Zipf popularity, and how fresh one pod's TTL cache is for them. A key hits once it has
 * been requested within its TTL, so a new pod warms as fast as its keys recur: its hottest keys within milliseconds,
 * the long tail never. Keys are kept in rank groups (each rank alone at the head, then groups 25 % wider), and each
 * group's fresh fraction f follows df/dt = lambda (1 - f) - f / ttl: a miss loads the key, an entry lasts a TTL on
 * average. Its steady state, lambda ttl / (1 + lambda ttl), is a TTL cache's hit ratio for a key requested at rate
 * lambda; before it, the transient is the warm-up.
 */
final class KeyPopularity {

    private static final int SINGLE_RANKS = 16;
    private static final double GROUP_GROWTH = 1.25;

    private final double[] share; // the group's share of all requests
    private final double[] keys; // keys in the group
    private final double ttlSeconds;

    KeyPopularity(int keyCount, double zipfExponent, double ttlSeconds) {
        if (keyCount < 1 || ttlSeconds <= 0 || zipfExponent < 0) {
            throw new IllegalArgumentException("need keys >= 1, ttl > 0 and a Zipf exponent >= 0");
        }
        this.ttlSeconds = ttlSeconds;
        java.util.List<double[]> groups = new java.util.ArrayList<>(); // {weight, keys}
        double total = 0;
        int rank = 1;
        while (rank <= keyCount) {
            int last = rank <= SINGLE_RANKS ? rank : Math.min(keyCount, (int) Math.ceil(rank * GROUP_GROWTH));
            double weight = 0;
            for (int r = rank; r <= last; r++) {
                weight += Math.pow(r, -zipfExponent);
            }
            groups.add(new double[] {weight, last - rank + 1});
            total += weight;
            rank = last + 1;
        }
        share = new double[groups.size()];
        keys = new double[groups.size()];
        for (int g = 0; g < share.length; g++) {
            share[g] = groups.get(g)[0] / total;
            keys[g] = groups.get(g)[1];
        }
    }

    /** An empty cache: a new pod's. */
    double[] emptyCache() {
        return new double[share.length];
    }

    /** A cache that has served {@code rate} req/s for long: a warm pod's. */
    double[] warmCache(double rate) {
        double[] fresh = emptyCache();
        for (int g = 0; g < fresh.length; g++) {
            double lambda = rate * share[g] / keys[g];
            fresh[g] = lambda * ttlSeconds / (1 + lambda * ttlSeconds);
        }
        return fresh;
    }

    /** A TTL cache's hit ratio at {@code rate} req/s once it is warm. */
    double steadyHitRatio(double rate) {
        return hitRatio(warmCache(rate));
    }

    double hitRatio(double[] fresh) {
        double hit = 0;
        for (int g = 0; g < fresh.length; g++) {
            hit += share[g] * fresh[g];
        }
        return hit;
    }

    /** Serves {@code rate} req/s for {@code seconds} from this cache, updating it; returns the hit ratio meanwhile. */
    double serve(double[] fresh, double rate, double seconds) {
        double hit = 0;
        for (int g = 0; g < fresh.length; g++) {
            double lambda = rate * share[g] / keys[g];
            double k = lambda + 1 / ttlSeconds;
            double steady = lambda / k;
            double decay = Math.exp(-k * seconds);
            double start = fresh[g];
            hit += share[g] * (steady + (start - steady) * (1 - decay) / (k * seconds));
            fresh[g] = steady + (start - steady) * decay;
        }
        return hit;
    }
}
