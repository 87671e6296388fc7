package io.scaledapi.autoscaler;

/**
 * The measured pod capacity replicas are planned with. The measure moves with the fleet (more pods on a node share its
 * cores and caches, and each carries less) and with each tick's noise: in a clean-clone end-to-end run it went 358,
 * 430, 479, 381, 333 req/s within a minute at a steady 1,000 req/s. A plan remade on every move adds a pod whose start
 * costs the others more than it brings, or takes one away that is wanted back, so the plan follows the measure only
 * past the tolerance around it, and asymmetrically, as replicas do:
 * <ul>
 *   <li>down at once: pods that carry less need replicas now (a scale-up);</li>
 *   <li>up only once the measure has stayed past the tolerance for a whole down window, and then to the lowest it
 *       was in that time: a higher plan takes replicas away, so it waits as a scale-down does.</li>
 * </ul>
 * Kept with the autoscaler instance, not in its checkpointed state: after a restart the first measure is planned with.
 */
final class CapacityPlan {

    private double planned = Double.NaN;
    /** Since when every measure was above the tolerance around the plan, or null. */
    private Long aboveSince;
    /** The lowest measure since {@link #aboveSince}. */
    private double lowestAbove;

    /** The capacity to plan with after this tick's {@code measured} (NaN while nothing is measured). */
    double next(long now, double measured, double tolerance, long downWindowMillis) {
        if (!Double.isFinite(measured)) {
            planned = Double.NaN;
            aboveSince = null;
        } else if (!Double.isFinite(planned) || measured < planned * (1 - tolerance)) {
            planned = measured;
            aboveSince = null;
        } else if (measured > planned * (1 + tolerance)) {
            if (aboveSince == null) {
                aboveSince = now;
                lowestAbove = measured;
            } else {
                lowestAbove = Math.min(lowestAbove, measured);
            }
            if (now - aboveSince >= downWindowMillis) {
                planned = lowestAbove;
                aboveSince = null;
            }
        } else {
            aboveSince = null;
        }
        return planned;
    }

    double planned() {
        return planned;
    }
}
