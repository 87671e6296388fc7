package io.scaledapi.autoscaler;

import java.time.Instant;

/**
 * One pod as seen at a tick.
 *
 * @param name       the pod's name (its identity across ticks)
 * @param ready      whether it is ready (only ready pods count)
 * @param startedAt  when it was created, for the start-up time; may be null
 * @param readySince when it became ready, for the start-up time; null when not ready
 * @param counters   what its metrics endpoint said, or null when the scrape failed
 * @param failure    why the scrape failed, when it did
 * @param noFullAnswer whether the scrape got no full answer (timed out, or a page past the size bound): a drowning
 *                   pod's way of failing, unlike a refused connection or garbage
 * @param cpuLimitCores the pod's CPU limit, in cores (NaN when it has none or it is not known)
 */
public record PodSnapshot(
        String name,
        boolean ready,
        Instant startedAt,
        Instant readySince,
        PodCounters counters,
        String failure,
        boolean noFullAnswer,
        double cpuLimitCores) {

    /** The same pod with its CPU limit known. */
    public PodSnapshot withCpuLimit(double cores) {
        return new PodSnapshot(name, ready, startedAt, readySince, counters, failure, noFullAnswer, cores);
    }

    public static PodSnapshot scraped(String name, Instant startedAt, Instant readySince, PodCounters counters) {
        return new PodSnapshot(name, true, startedAt, readySince, counters, null, false, Double.NaN);
    }

    public static PodSnapshot unscraped(String name, Instant startedAt, Instant readySince, String failure) {
        return new PodSnapshot(name, true, startedAt, readySince, null, failure, false, Double.NaN);
    }

    /** A ready pod whose scrape got no full answer: within the timeout, or within the size bound. */
    public static PodSnapshot noFullAnswer(String name, Instant startedAt, Instant readySince, String failure) {
        return new PodSnapshot(name, true, startedAt, readySince, null, failure, true, Double.NaN);
    }

    public static PodSnapshot notReady(String name, Instant startedAt) {
        return new PodSnapshot(name, false, startedAt, null, null, null, false, Double.NaN);
    }
}
