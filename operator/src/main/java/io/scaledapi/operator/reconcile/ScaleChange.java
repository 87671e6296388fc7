package io.scaledapi.operator.reconcile;

import io.scaledapi.autoscaler.Decision;

/** A change of replicas a user is told of (status, event, log): applied, or in Recommend mode only recommended. */
record ScaleChange(int from, int to, boolean applied, String reason) {

    static ScaleChange applied(int from, Decision decision) {
        return new ScaleChange(from, decision.replicas(), true, decision.reason());
    }

    static ScaleChange recommended(int from, Decision decision) {
        return new ScaleChange(from, decision.replicas(), false, decision.reason());
    }

    boolean up() {
        return to > from;
    }

    /** One line: {@code 2 -> 3: up: ...}, with what was not applied said so. */
    String summary() {
        return from + " -> " + to + (applied ? "" : " (not applied: spec.scaling.mode is Recommend)") + ": " + reason;
    }
}
