package io.scaledapi.autoscaler;

/**
 * Cumulative counters read from one pod. NaN marks a series the pod does not export.
 *
 * @param requests      the request counter, summed over its label sets
 * @param cacheHits     cache gets that hit
 * @param cacheMisses   cache gets that missed
 * @param durationSum   total seconds spent serving requests
 * @param durationCount requests the duration sum covers
 * @param sharedHits    lookups in the shared tier (cache="shared") that hit
 * @param sharedMisses  lookups in the shared tier that missed
 * @param cpuSeconds    CPU time the pod's process has used ({@code process_cpu_seconds_total})
 * @param arrivals      requests counted as the pod read them, before any work on them (shed ones included)
 * @param shed          requests answered at once because the pod was at its bound on requests in flight
 * @param unread        a gauge: requests sent to the pod and waiting unread on its connections, in the kernel
 */
public record PodCounters(
        double requests,
        double cacheHits,
        double cacheMisses,
        double durationSum,
        double durationCount,
        double sharedHits,
        double sharedMisses,
        double cpuSeconds,
        double arrivals,
        double shed,
        double unread) {

    /** A pod that does not count arrivals. */
    public PodCounters(
            double requests,
            double cacheHits,
            double cacheMisses,
            double durationSum,
            double durationCount,
            double sharedHits,
            double sharedMisses,
            double cpuSeconds) {
        this(
                requests,
                cacheHits,
                cacheMisses,
                durationSum,
                durationCount,
                sharedHits,
                sharedMisses,
                cpuSeconds,
                Double.NaN,
                Double.NaN,
                Double.NaN);
    }

    public PodCounters(
            double requests,
            double cacheHits,
            double cacheMisses,
            double durationSum,
            double durationCount,
            double sharedHits,
            double sharedMisses) {
        this(requests, cacheHits, cacheMisses, durationSum, durationCount, sharedHits, sharedMisses, Double.NaN);
    }

    /** A pod with no shared cache tier. */
    public PodCounters(
            double requests, double cacheHits, double cacheMisses, double durationSum, double durationCount) {
        this(requests, cacheHits, cacheMisses, durationSum, durationCount, Double.NaN, Double.NaN);
    }

    /** These counters with what the pod counts of its demand: requests read, shed and waiting unread. */
    public PodCounters withArrivals(double arrivals, double shed, double unread) {
        return new PodCounters(
                requests,
                cacheHits,
                cacheMisses,
                durationSum,
                durationCount,
                sharedHits,
                sharedMisses,
                cpuSeconds,
                arrivals,
                shed,
                unread);
    }

    /** Garbage a scrape may carry: a negative or non-finite request count. */
    public boolean isValid() {
        return Double.isFinite(requests)
                && requests >= 0
                && validOptional(cacheHits)
                && validOptional(cacheMisses)
                && validOptional(durationSum)
                && validOptional(durationCount)
                && validOptional(sharedHits)
                && validOptional(sharedMisses)
                && validOptional(cpuSeconds)
                && validOptional(arrivals)
                && validOptional(shed)
                && validOptional(unread);
    }

    private static boolean validOptional(double v) {
        return Double.isNaN(v) || (Double.isFinite(v) && v >= 0);
    }
}
