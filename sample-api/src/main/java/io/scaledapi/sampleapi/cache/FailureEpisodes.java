package io.scaledapi.sampleapi.cache;

import java.time.Duration;

/**
 * Which of a dependency's failures and recoveries are logged. A tier that flaps (a pod under load misses a 5 ms
 * REDIS_TIMEOUT, then the next read answers) is one problem: a failure within {@code quiet} of the last logged one is
 * not logged, nor is its recovery, and the next logged failure says how many went unlogged. Times are
 * {@link System#nanoTime()} values, passed in so that tests need not wait.
 */
final class FailureEpisodes {

    /** Not to be logged. */
    static final long SILENT = -1;

    private final long quietNanos;
    private volatile boolean failing;
    private boolean episodeLogged;
    private boolean everLogged;
    private long lastLoggedAt;
    private long unlogged;

    FailureEpisodes(Duration quiet) {
        this.quietNanos = quiet.toNanos();
    }

    /** A failure at {@code nanos}: {@link #SILENT}, or the number of failures left unlogged since the last logged one. */
    synchronized long failed(long nanos) {
        if (failing) {
            return SILENT;
        }
        failing = true;
        if (everLogged && nanos - lastLoggedAt < quietNanos) {
            episodeLogged = false;
            unlogged++;
            return SILENT;
        }
        everLogged = true;
        lastLoggedAt = nanos;
        episodeLogged = true;
        long skipped = unlogged;
        unlogged = 0;
        return skipped;
    }

    /** An answer: whether to log that the tier answers again (only the end of a failure that was logged). */
    boolean answered() {
        if (!failing) { // the hot path: every read that answers
            return false;
        }
        synchronized (this) {
            if (!failing) {
                return false;
            }
            failing = false;
            return episodeLogged;
        }
    }
}
