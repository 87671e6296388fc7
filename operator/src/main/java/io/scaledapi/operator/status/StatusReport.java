package io.scaledapi.operator.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.ConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentCondition;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiStatus;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The status of a ScaledApi as one pure function of the resource, its Deployment and the time: what a user reads in
 * {@code kubectl get sapi} and {@code kubectl describe}. Conditions keep their transition time while unchanged.
 */
public final class StatusReport {

    public static final String READY = "Ready";
    public static final String METRICS_AVAILABLE = "MetricsAvailable";
    public static final String SCALING_ACTIVE = "ScalingActive";
    public static final String SCALING_LIMITED = "ScalingLimited";
    /** Ready's reason when the Deployment ran past its progress deadline: the image does not become ready. */
    public static final String IMAGE_NOT_READY = "ImageNotReady";

    public static final String RECONCILE_FAILED = "ReconcileFailed";
    /** Ready's reason while an object this ScaledApi would own exists and is someone else's. */
    public static final String NAME_CONFLICT = "NameConflict";

    public static final String METRICS_UNAVAILABLE = "MetricsUnavailable";

    /** ScalingActive's reason in Recommend mode: decisions are reported, not applied. */
    public static final String RECOMMEND_ONLY = "RecommendOnly";
    /** Whether new pods start with a raised CPU limit (spec.startup.cpuBoostPercent), and why not. */
    public static final String STARTUP_BOOSTED = "StartupBoosted";

    /** How many decisions status keeps. */
    public static final int RECENT_DECISIONS = 5;

    private static final ObjectMapper JSON = new ObjectMapper();

    private StatusReport() {}

    /**
     * The whole status: what the Deployment shows, the latest tick's decision and rates, the change a user is told of
     * in this reconcile ({@code lastDecision}, {@code recentDecisions}), if any, and whether new pods start boosted
     * ({@code null}: no such condition).
     */
    public static ScaledApiStatus of(
            ScaledApi api,
            Deployment deployment,
            Decision decision,
            ReportedRates rates,
            ScaleChange change,
            StartupBoost startupBoost,
            Instant now) {
        ScaledApiStatus previous = api.getStatus();
        ScaledApiStatus status = new ScaledApiStatus();
        status.observedGeneration = api.getMetadata().getGeneration();
        boolean paused = Boolean.TRUE.equals(api.getSpec().paused);
        status.mode = paused ? "Paused" : "Stable";
        if (previous != null) { // owned by the autoscaler; carried over until it writes them
            status.requestRate = previous.requestRate;
            status.podCapacity = previous.podCapacity;
            status.cacheHitRatio = previous.cacheHitRatio;
            status.cacheHitPercent = previous.cacheHitPercent;
            status.lastScaleTime = previous.lastScaleTime;
            status.lastDecision = previous.lastDecision;
            status.recentDecisions = previous.recentDecisions;
        }
        if (decision != null) {
            double target = api.getSpec().scaling.targetRequestsPerSecond == null
                    ? 0
                    : api.getSpec().scaling.targetRequestsPerSecond;
            rates.writeTo(status, target);
            if (!paused) {
                status.mode = decision.mode().name();
            }
        }
        List<Condition> conditions = new ArrayList<>();
        if (deployment == null) {
            status.replicas = 0;
            status.readyReplicas = 0;
            conditions.add(condition(READY, "False", "DeploymentMissing", "the Deployment has not been created yet"));
            conditions.add(condition(SCALING_LIMITED, "False", "NoDeployment", "there is no Deployment to scale yet"));
        } else {
            int desired =
                    Optional.ofNullable(deployment.getSpec().getReplicas()).orElse(1);
            int ready = deployment.getStatus() == null
                    ? 0
                    : Optional.ofNullable(deployment.getStatus().getReadyReplicas())
                            .orElse(0);
            status.replicas = deployment.getStatus() == null
                    ? 0
                    : Optional.ofNullable(deployment.getStatus().getReplicas()).orElse(0);
            status.readyReplicas = ready;
            status.desiredReplicas = desired;
            conditions.add(ready(api, deployment, ready, desired));
            String limit = decision != null && decision.metricsAvailable() && !paused && decision.limit() != null
                    ? decision.limit().name()
                    : null;
            conditions.add(
                    limit != null && !limit.startsWith("At")
                            ? condition(SCALING_LIMITED, "True", limit, decision.reason())
                            : limited(api, desired));
            if (decision != null && !paused) {
                status.desiredReplicas = decision.replicas();
            }
        }
        if (decision == null) {
            conditions.add(condition(METRICS_AVAILABLE, "Unknown", "NotScraped", "the pods have not been scraped yet"));
        } else if (decision.metricsAvailable() && decision.metricsProblem() != null) {
            // Decided all the same: pods that did not answer while loaded were counted saturated, never idle.
            conditions.add(condition(METRICS_AVAILABLE, "False", decision.metricsProblem(), decision.metricsMessage()));
        } else if (decision.metricsAvailable()) {
            conditions.add(condition(METRICS_AVAILABLE, "True", "Scraped", decision.metricsMessage()));
        } else {
            conditions.add(condition(METRICS_AVAILABLE, "False", METRICS_UNAVAILABLE, decision.metricsMessage()));
        }
        if (paused) {
            conditions.add(
                    condition(SCALING_ACTIVE, "False", "Paused", "spec.paused is true: replicas are kept as they are"));
        } else if (decision == null) {
            conditions.add(condition(
                    SCALING_ACTIVE,
                    "Unknown",
                    "AwaitingMetrics",
                    "scaling starts once the pods' request rates are known"));
        } else if (!decision.metricsAvailable()) {
            conditions.add(condition(SCALING_ACTIVE, "False", "NoMetrics", decision.reason()));
        } else if (api.getSpec().recommendOnly()) {
            conditions.add(condition(
                    SCALING_ACTIVE,
                    "False",
                    RECOMMEND_ONLY,
                    "spec.scaling.updateMode is Recommend: the "
                            + "Deployment's replicas are left as they are; recommended " + decision.replicas() + ": "
                            + decision.reason()));
        } else {
            conditions.add(condition(SCALING_ACTIVE, "True", "Active", decision.reason()));
        }
        if (startupBoost != null) {
            conditions.add(condition(
                    STARTUP_BOOSTED,
                    startupBoost.boosted() ? "True" : "False",
                    startupBoost.reason(),
                    startupBoost.message()));
        }
        status.conditions =
                withTransitionTimes(conditions, previous, now, api.getMetadata().getGeneration());
        if (change != null) {
            if (change.applied()) {
                status.desiredReplicas = change.to();
                status.lastScaleTime = now.truncatedTo(ChronoUnit.SECONDS).toString();
                status.lastDecision = change.summary();
            }
            addDecision(status, now, change.from(), change.to(), change.applied(), change.reason());
        }
        return status;
    }

    /** Whether new pods start with a raised CPU limit, as the reconciler found: the StartupBoosted condition. */
    public record StartupBoost(boolean boosted, String reason, String message) {}

    /**
     * Whether a recommendation (Recommend mode) is one status has not shown yet. A status write may reach the cache
     * after the next reconcile: the last recorded decision counts as shown too.
     */
    public static boolean recommendationIsNew(ScaledApiStatus previous, Decision decision) {
        if (decision == null || !decision.metricsAvailable()) {
            return false;
        }
        int recommended = decision.replicas();
        boolean shown = previous != null && Objects.equals(previous.desiredReplicas, recommended);
        List<ScaledApiStatus.ScaleDecision> recent = previous == null ? null : previous.recentDecisions;
        boolean recorded = recent != null
                && !recent.isEmpty()
                && !Boolean.TRUE.equals(recent.get(recent.size() - 1).applied)
                && Objects.equals(recent.get(recent.size() - 1).to, recommended);
        return !shown && !recorded;
    }

    /** Adds a decision to {@code recentDecisions}, keeping the newest {@link #RECENT_DECISIONS}. */
    static void addDecision(ScaledApiStatus status, Instant now, int from, int to, boolean applied, String reason) {
        List<ScaledApiStatus.ScaleDecision> decisions =
                new ArrayList<>(status.recentDecisions == null ? List.of() : status.recentDecisions);
        decisions.add(new ScaledApiStatus.ScaleDecision(
                now.truncatedTo(ChronoUnit.SECONDS).toString(), from, to, applied, reason));
        status.recentDecisions =
                List.copyOf(decisions.subList(Math.max(0, decisions.size() - RECENT_DECISIONS), decisions.size()));
    }

    /**
     * Whether a user would see no difference between two statuses: every field, and each condition's type, status
     * and reason. A condition's message alone (the autoscaler's reason, with this tick's figures) is not worth a
     * write; it is refreshed with the next change.
     */
    public static boolean sameToAUser(ScaledApiStatus a, ScaledApiStatus b) {
        if (a == null || b == null) {
            return a == b;
        }
        return userView(a).equals(userView(b));
    }

    private static JsonNode userView(ScaledApiStatus status) {
        ObjectNode tree = JSON.valueToTree(status);
        if (tree.get("conditions") instanceof ArrayNode conditions) {
            for (JsonNode c : conditions) {
                ((ObjectNode) c).remove(List.of("message", "lastTransitionTime"));
            }
        }
        return tree;
    }

    /** The status after a failed reconcile: what was known before, with Ready false and the failure's message. */
    public static ScaledApiStatus failed(ScaledApi api, String reason, String message, Instant now) {
        ScaledApiStatus previous = api.getStatus() == null ? new ScaledApiStatus() : api.getStatus();
        List<Condition> conditions = new ArrayList<>();
        conditions.add(condition(READY, "False", reason, message));
        previous.conditions.stream().filter(c -> !READY.equals(c.getType())).forEach(conditions::add);
        previous.conditions = withTransitionTimes(
                conditions, api.getStatus(), now, api.getMetadata().getGeneration());
        previous.observedGeneration = api.getMetadata().getGeneration();
        return previous;
    }

    private static Condition ready(ScaledApi api, Deployment deployment, int ready, int desired) {
        Optional<DeploymentCondition> progressing = deployment.getStatus() == null
                ? Optional.empty()
                : deployment.getStatus().getConditions().stream()
                        .filter(c -> "Progressing".equals(c.getType()))
                        .findFirst();
        if (progressing
                .filter(c -> "False".equals(c.getStatus()) && "ProgressDeadlineExceeded".equals(c.getReason()))
                .isPresent()) {
            return condition(
                    READY,
                    "False",
                    IMAGE_NOT_READY,
                    "pods of image " + api.getSpec().image
                            + " did not become ready within the Deployment's progress deadline (" + ready + " of "
                            + desired
                            + " ready): check the image name, the pods' events and their readiness probe");
        }
        int needed = Math.min(desired, api.getSpec().replicas.min);
        if (ready >= Math.max(1, needed)) {
            return condition(READY, "True", "Available", ready + " of " + desired + " replicas ready");
        }
        return condition(READY, "False", "Progressing", ready + " of " + desired + " replicas ready");
    }

    private static Condition limited(ScaledApi api, int replicas) {
        if (replicas <= api.getSpec().replicas.min) {
            return condition(
                    SCALING_LIMITED,
                    "True",
                    "AtMinimum",
                    "replicas are at replicas.min (" + api.getSpec().replicas.min + ")");
        }
        if (replicas >= api.getSpec().replicas.max) {
            return condition(
                    SCALING_LIMITED,
                    "True",
                    "AtMaximum",
                    "replicas are at replicas.max (" + api.getSpec().replicas.max + ")");
        }
        return condition(
                SCALING_LIMITED, "False", "WithinBounds", "replicas are between replicas.min and replicas.max");
    }

    static Condition condition(String type, String status, String reason, String message) {
        return new ConditionBuilder()
                .withType(type)
                .withStatus(status)
                .withReason(reason)
                .withMessage(message)
                .build();
    }

    /** A condition whose status did not change keeps its lastTransitionTime. */
    private static List<Condition> withTransitionTimes(
            List<Condition> conditions, ScaledApiStatus previous, Instant now, Long generation) {
        String timestamp = now.truncatedTo(ChronoUnit.SECONDS).toString();
        for (Condition condition : conditions) {
            condition.setObservedGeneration(generation);
            String since = previous == null || previous.conditions == null
                    ? null
                    : previous.conditions.stream()
                            .filter(p -> p.getType().equals(condition.getType())
                                    && Objects.equals(p.getStatus(), condition.getStatus()))
                            .map(Condition::getLastTransitionTime)
                            .filter(Objects::nonNull)
                            .findFirst()
                            .orElse(null);
            condition.setLastTransitionTime(since != null ? since : timestamp);
        }
        return conditions;
    }

    public static Optional<Condition> find(ScaledApiStatus status, String type) {
        return status == null || status.conditions == null
                ? Optional.empty()
                : status.conditions.stream()
                        .filter(c -> type.equals(c.getType()))
                        .findFirst();
    }
}
