package io.scaledapi.autoscaler;

import io.scaledapi.autoscaler.AutoscalerState.RateSample;
import java.util.ArrayList;
import java.util.List;

/**
 * The second stage: the per-tick fleet rates averaged over the stable, burst and recent windows, the cache hit ratio
 * and mean service time over the stable window, and the trend ({@link Rates}).
 */
final class RateWindows {

    /** The trend counts only when it stands this many standard errors clear of zero ... */
    static final double TREND_SIGNIFICANCE = 3.0;
    /** ... and a line explains at least this share of the window's variance (R²). */
    static final double MIN_TREND_FIT = 0.8;
    /**
     * ... and each third of the window rises at least this share of the whole window's slope. A step does not; nor
     * does a short ramp that has ended: it was fitted as a trend just after its end, when the burst window had already
     * scaled for it, and the projection started a second pod beside the first on a node that had no CPU for both.
     */
    static final double SEGMENT_SLOPE_SHARE = 0.33;
    /** The window is cut into this many segments, each of which must rise. */
    static final int TREND_SEGMENTS = 3;
    /** The trend is fitted over the most recent samples only, so that it follows a ramp as soon as it starts. */
    static final long TREND_WINDOW_MILLIS = 20_000;

    private RateWindows() {}

    static Rates of(List<RateSample> samples, long now, ScalingPolicy.Windows windows) {
        long burstFrom = now - windows.burst().toMillis();
        long recentFrom = now - windows.recent().toMillis();
        double sLow = 0, sHigh = 0, bLow = 0, bHigh = 0, rLow = 0, rHigh = 0;
        double hits = 0, misses = 0, durSum = 0, durCount = 0;
        double sharedHits = 0, sharedMisses = 0;
        int s = 0, b = 0, r = 0;
        for (RateSample sample : samples) {
            if (sample.t <= now - windows.stable().toMillis()) {
                continue;
            }
            s++;
            sLow += sample.low;
            sHigh += sample.high;
            if (sample.t > burstFrom) {
                b++;
                bLow += sample.low;
                bHigh += sample.high;
            }
            if (sample.t > recentFrom) {
                r++;
                rLow += sample.low;
                rHigh += sample.high;
            }
            if (sample.hits != null) {
                hits += sample.hits;
                misses += sample.misses;
            }
            if (sample.sharedHits != null) {
                sharedHits += sample.sharedHits;
                sharedMisses += sample.sharedMisses;
            }
            if (sample.durationSum != null) {
                durSum += sample.durationSum;
                durCount += sample.durationCount;
            }
        }
        if (s == 0) {
            return Rates.UNKNOWN;
        }
        RequestRate stable = new RequestRate(sLow / s, sHigh / s);
        return new Rates(
                stable,
                b == 0 ? stable : new RequestRate(bLow / b, bHigh / b),
                r == 0 ? stable : new RequestRate(rLow / r, rHigh / r),
                hits + misses > 0 ? hits / (hits + misses) : Double.NaN,
                sharedHits + sharedMisses > 0 ? sharedHits / (sharedHits + sharedMisses) : Double.NaN,
                durCount > 0 ? durSum / durCount : Double.NaN,
                trend(samples, now));
    }

    /**
     * Least-squares slope (req/s per second) of the low rate over the trend window, or 0 unless it is significant and a
     * straight line explains the window: a step (a jump, then flat) is not a trend to extrapolate.
     */
    static double trend(List<RateSample> samples, long now) {
        List<RateSample> recent = new ArrayList<>();
        for (RateSample s : samples) {
            if (s.t > now - TREND_WINDOW_MILLIS && s.t <= now) {
                recent.add(s);
            }
        }
        int n = recent.size();
        if (n < 2 * TREND_SEGMENTS) {
            return 0;
        }
        double[] fit = fit(recent, now);
        double slope = fit[0];
        boolean significant = Math.abs(slope) > TREND_SIGNIFICANCE * fit[1] && fit[2] >= MIN_TREND_FIT;
        // A ramp under way rises in every third of the window; a step (flat, a jump, flat) does not, and a ramp that
        // has ended is flat in the last third.
        boolean everySegment = true;
        for (int i = 0; i < TREND_SEGMENTS && everySegment; i++) {
            List<RateSample> segment = recent.subList(i * n / TREND_SEGMENTS, (i + 1) * n / TREND_SEGMENTS);
            everySegment = fit(segment, now)[0] / slope >= SEGMENT_SLOPE_SHARE;
        }
        return significant && everySegment ? slope : 0;
    }

    /** Least squares of the low rate on time: {slope (req/s per second), its standard error, R²}. */
    private static double[] fit(List<RateSample> recent, long now) {
        int n = recent.size();
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
            return new double[] {0, Double.POSITIVE_INFINITY, 0};
        }
        double slope = sxy / sxx;
        if (n < 3) {
            // Two points give a slope (a segment's rise) but no error to judge it by.
            return new double[] {slope, Double.POSITIVE_INFINITY, 1};
        }
        double residuals = 0;
        for (RateSample s : recent) {
            double fit = my + slope * ((s.t - now) / 1000.0 - mx);
            residuals += (s.low - fit) * (s.low - fit);
        }
        return new double[] {slope, Math.sqrt(residuals / (n - 2) / sxx), 1 - residuals / total};
    }
}
