package io.scaledapi.nodeagent;

import io.fabric8.kubernetes.api.model.Probe;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * One container probe the way a kubelet runs it: first after {@code initialDelaySeconds}, then every
 * {@code periodSeconds}; the result flips to failed after {@code failureThreshold} failures in a row and back to
 * passing after {@code successThreshold} successes in a row. Defaults are the Kubernetes API's (period 10 s,
 * failure threshold 3, success threshold 1, timeout 1 s). Not thread-safe: the agent's tick owns it.
 */
final class ProbeSchedule {

    private final Duration initialDelay;
    private final Duration period;
    private final int failureThreshold;
    private final int successThreshold;
    private final Duration timeout;
    private final Instant started;
    private Instant lastRun;
    private int failuresInARow;
    private int successesInARow;
    private boolean passing;

    /** A probe whose result starts as {@code initiallyPassing} (false for startup and readiness, true for liveness). */
    ProbeSchedule(Probe probe, Instant started, boolean initiallyPassing) {
        this.initialDelay = Duration.ofSeconds(
                Optional.ofNullable(probe.getInitialDelaySeconds()).orElse(0));
        this.period = Duration.ofSeconds(
                Math.max(1, Optional.ofNullable(probe.getPeriodSeconds()).orElse(10)));
        this.failureThreshold =
                Math.max(1, Optional.ofNullable(probe.getFailureThreshold()).orElse(3));
        this.successThreshold =
                Math.max(1, Optional.ofNullable(probe.getSuccessThreshold()).orElse(1));
        this.timeout = Duration.ofSeconds(
                Math.max(1, Optional.ofNullable(probe.getTimeoutSeconds()).orElse(1)));
        this.started = started;
        this.passing = initiallyPassing;
    }

    boolean due(Instant now) {
        return !now.isBefore(started.plus(initialDelay)) && (lastRun == null || !now.isBefore(lastRun.plus(period)));
    }

    /** Records one probe's outcome at {@code now}; returns whether the probe passes after it. */
    boolean record(Instant now, boolean ok) {
        lastRun = now;
        if (ok) {
            failuresInARow = 0;
            successesInARow++;
            if (successesInARow >= successThreshold) {
                passing = true;
            }
        } else {
            successesInARow = 0;
            failuresInARow++;
            if (failuresInARow >= failureThreshold) {
                passing = false;
            }
        }
        return passing;
    }

    boolean passing() {
        return passing;
    }

    /** Whether the last {@code failureThreshold} runs all failed: for a startup probe, the container is restarted. */
    boolean failedOut() {
        return failuresInARow >= failureThreshold;
    }

    Duration timeout() {
        return timeout;
    }
}
