package io.scaledapi.operator.status;

import io.scaledapi.autoscaler.Decision;

/** A change of replicas a user is told of (status, event, log): applied, or in Recommend mode only recommended. */
public record ScaleChange(int from, int to, boolean applied, String reason) {

    public static ScaleChange scaled(int from, Decision decision) {
        return new ScaleChange(from, decision.replicas(), true, decision.reason());
    }

    public static ScaleChange recommended(int from, Decision decision) {
        return new ScaleChange(from, decision.replicas(), false, decision.reason());
    }

    public boolean up() {
        return to > from;
    }

    /** One line: {@code 2 -> 3: up: ...}, with what was not applied said so. */
    public String summary() {
        return from + " -> " + to + (applied ? "" : " (not applied: spec.scaling.updateMode is Recommend)") + ": "
                + reason;
    }
}
