package io.scaledapi.autoscaler;

/**
 * What the windows saw ({@link RateWindows}): the request rate averaged over the stable, burst and recent windows,
 * the cache hit ratios and the mean service time over the stable window, and the trend. A value the pods do not
 * export, or that no sample measured yet, is NaN.
 *
 * @param trend req/s per second, 0 unless significant
 */
public record Rates(
        RequestRate stable,
        RequestRate burst,
        RequestRate recent,
        double hitRatio,
        double sharedHitRatio,
        double meanServiceSeconds,
        double trend) {

    public static final Rates UNKNOWN = new Rates(
            RequestRate.UNKNOWN, RequestRate.UNKNOWN, RequestRate.UNKNOWN, Double.NaN, Double.NaN, Double.NaN, 0);
}
