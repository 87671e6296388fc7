package io.scaledapi.operator.ticks;

import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.Limit;
import io.scaledapi.operator.status.ReportedRates;
import java.util.List;
import java.util.Optional;

/**
 * What a resource's latest tick published, as one reconcile reads it: the decision (with its reason and the limit
 * that cut it), the rates status shows, whether the decision still waits to be applied, and when status may next be
 * written. Immutable: the loop replaces it, a reconcile reads it once.
 *
 * @param decision         the latest decision, or null before the first tick
 * @param rates            the rates and ratios as status shows them
 * @param unapplied        whether the decision changes replicas and no reconcile has applied it yet
 * @param statusWritableAt the time (epoch millis) from which status may be written again: at most once per tick
 */
public record ScalingResult(Decision decision, ReportedRates rates, boolean unapplied, long statusWritableAt) {

    /** Before the first tick. */
    static ScalingResult none(ReportedRates shown) {
        return new ScalingResult(null, shown, false, 0);
    }

    boolean ticked() {
        return decision != null;
    }

    /** The decision to apply, if one waits. */
    public Optional<Decision> toApply() {
        return unapplied ? Optional.of(decision) : Optional.empty();
    }

    ScalingResult applied() {
        return new ScalingResult(decision, rates, false, statusWritableAt);
    }

    ScalingResult withStatusWritableAt(long millis) {
        return new ScalingResult(decision, rates, unapplied, millis);
    }

    /** What status shows of this result: when it changes from one tick to the next, the reconciler is woken. */
    Object shown() {
        return decision == null
                ? List.of()
                : List.of(
                        decision.replicas(),
                        decision.mode(),
                        decision.metricsAvailable(),
                        Optional.ofNullable(decision.metricsProblem()).orElse(""),
                        Optional.ofNullable(decision.limit()).map(Limit::name).orElse(""),
                        rates);
    }
}
