package io.scaledapi.autoscaler;

import io.scaledapi.autoscaler.AutoscalerState.Recommendation;
import io.scaledapi.autoscaler.AutoscalerState.ScaleEvent;
import java.util.List;
import java.util.Locale;

/**
 * The fourth stage: the rules between a recommendation and the replicas applied. Each returns the replicas it allows
 * and, when it changed them, what it was and why, as the HPA's limit functions do.
 */
final class Rules {

    private Rules() {}

    /** Replicas after a rule; {@code limit} and {@code reason} are null when the rule changed nothing. */
    record Step(int replicas, Limit limit, String reason) {

        static Step unchanged(int replicas) {
            return new Step(replicas, null, null);
        }
    }

    /** Whether a need is a burst: the burst threshold's multiple of the ready pods, or more. */
    static boolean bursts(int burstNeed, int ready, ScalingPolicy policy) {
        return burstNeed >= policy.burstThreshold() * Math.max(1, ready);
    }

    /**
     * Burst mode starts when the burst window needs at least the threshold times the ready pods and more than the
     * present replicas, and ends one down window ({@link #downWindowMillis}) after that was last true (the stabilization window
     * then keeps the highest need of that window, so the end of a burst is never a cliff). Updates the state; returns whether the
     * tick is in burst mode.
     */
    static boolean burstMode(
            AutoscalerState state,
            long now,
            int burstNeed,
            int ready,
            int current,
            ScalingPolicy policy,
            long downWindowMillis) {
        if (bursts(burstNeed, ready, policy) && burstNeed > current) {
            if (state.burstSince == null) {
                state.burstSince = now;
            }
            state.lastBurstAt = now;
        } else if (state.burstSince != null && now - state.lastBurstAt >= downWindowMillis) {
            state.burstSince = null;
            state.lastBurstAt = null;
        }
        return state.burstSince != null;
    }

    /**
     * The down window: the configured one, but never shorter than 1.5 times the pods' measured start-up (a moving
     * average, and pods start slower on a loaded node), so that a scale-down does not remove pods that are still
     * starting for the load that asked for them.
     */
    static long downWindowMillis(ScalingPolicy policy, long startupMillis) {
        return Math.max(policy.down().stabilization().toMillis(), Math.round(STARTUP_MARGIN * startupMillis));
    }

    /** The e2e's pods took 33-41 s to start under load while the measured average said 31 s. */
    static final double STARTUP_MARGIN = 1.5;

    /** Down: the highest recommendation of the down window; up: the lowest of the up window; never past current. */
    static Step stabilize(
            List<Recommendation> recommendations,
            long now,
            int candidate,
            int current,
            ScalingPolicy policy,
            long downWindowMillis) {
        if (candidate == current) {
            return Step.unchanged(current);
        }
        boolean down = candidate < current;
        long window = down ? downWindowMillis : policy.up().stabilization().toMillis();
        int extreme = candidate;
        for (Recommendation r : recommendations) {
            if (r.t > now - window) {
                extreme = down ? Math.max(extreme, r.replicas) : Math.min(extreme, r.replicas);
            }
        }
        int stabilized = down ? Math.min(current, extreme) : Math.max(current, extreme);
        return stabilized == candidate
                ? Step.unchanged(candidate)
                : new Step(
                        stabilized,
                        null,
                        String.format(
                                Locale.ROOT,
                                "the %s recommendation of the last %d s is %d",
                                down ? "highest" : "lowest",
                                window / 1000,
                                extreme));
    }

    /**
     * How long pods added by a scale-up count as still starting: three measured start-up times, and never less than
     * two minutes (the start-up budget a pod gets before it is restarted). Past it they are not coming.
     */
    static final int STARTING_STARTUPS = 3;

    static final long STARTING_FLOOR_MILLIS = 120_000;

    /**
     * No scale-down while a scale-up is still arriving: within the down window after replicas were last raised, or
     * while fewer pods are ready than there are replicas since then (for at most {@link #STARTING_STARTUPS} start-up
     * times, or {@link #STARTING_FLOOR_MILLIS}). A load that needed the pods is still there while they start; what the fleet serves meanwhile says only
     * what the ready ones could carry (an end-to-end run went 1 -> 4, 4 -> 3 and 3 -> 6 within 73 s).
     */
    static Step afterScaleUp(
            Long lastScaleUpAt,
            long now,
            int candidate,
            int current,
            int ready,
            long downWindowMillis,
            long startupMillis) {
        if (candidate >= current || lastScaleUpAt == null) {
            return Step.unchanged(candidate);
        }
        long since = now - lastScaleUpAt;
        if (since < downWindowMillis) {
            return new Step(
                    current,
                    null,
                    String.format(
                            Locale.ROOT,
                            "scaled up %d s ago, within the %d s down window",
                            since / 1000,
                            downWindowMillis / 1000));
        }
        if (ready < current && since < Math.max(STARTING_FLOOR_MILLIS, STARTING_STARTUPS * startupMillis)) {
            return new Step(
                    current,
                    null,
                    String.format(
                            Locale.ROOT,
                            "%d of %d replicas ready: the last scale-up's pods are still starting",
                            ready,
                            current));
        }
        return Step.unchanged(candidate);
    }

    /** HPA-style: a change is limited relative to the replicas at the start of each period. */
    static Step rateLimit(List<ScaleEvent> events, long now, int desired, int current, ScalingPolicy policy) {
        int allowed = desired;
        if (desired > current) {
            ScalingPolicy.ScalingRules up = policy.up();
            int start = current - netChangeSince(events, now - up.period().toMillis());
            int most = start + Math.max(up.maxPods(), (int) Math.ceil(start * up.maxPercent() / 100.0));
            allowed = Math.min(desired, Math.max(current, most));
        } else if (desired < current) {
            ScalingPolicy.ScalingRules down = policy.down();
            int start = current - netChangeSince(events, now - down.period().toMillis());
            int byPercent = (int) Math.ceil(start * (1 - down.maxPercent() / 100.0));
            int byPods = down.maxPods() > 0 ? start - down.maxPods() : Integer.MAX_VALUE;
            allowed = Math.max(desired, Math.min(current, Math.min(byPercent, byPods)));
        }
        return allowed == desired
                ? Step.unchanged(desired)
                : new Step(allowed, Limit.RateLimited, String.format(Locale.ROOT, "rate limit allows %d now", allowed));
    }

    /** replicas.min and replicas.max; the limit is reported whenever the decision sits on a bound it asked past. */
    static Step bounds(int desired, ScalingPolicy policy) {
        int min = policy.minReplicas();
        int max = policy.maxReplicas();
        if (desired >= max) {
            return new Step(max, Limit.AtMaximum, desired > max ? "capped at replicas.max " + max : null);
        }
        if (desired <= min) {
            return new Step(min, Limit.AtMinimum, desired < min ? "raised to replicas.min " + min : null);
        }
        return Step.unchanged(desired);
    }

    private static int netChangeSince(List<ScaleEvent> events, long from) {
        int change = 0;
        for (ScaleEvent e : events) {
            if (e.t > from) {
                change += e.to - e.from;
            }
        }
        return change;
    }
}
