package io.scaledapi.operator.status;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.TestResources;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.owned.DeploymentDependent;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class StatusReportTest {

    static final Instant T0 = Instant.parse("2026-11-22T10:00:00Z");

    @Test
    void conditionsKeepTheirTransitionTimeUntilTheirStatusChanges() {
        ScaledApi api = api(2, 5);
        api.setStatus(StatusReport.of(api, deployment(2, 0), null, ReportedRates.NONE, null, null, T0));
        assertThat(ready(api).getLastTransitionTime()).isEqualTo("2026-11-22T10:00:00Z");

        api.setStatus(StatusReport.of(api, deployment(2, 1), null, ReportedRates.NONE, null, null, T0.plusSeconds(30)));
        assertThat(ready(api).getStatus()).isEqualTo("False");
        assertThat(ready(api).getLastTransitionTime())
                .as("still False: time kept")
                .isEqualTo("2026-11-22T10:00:00Z");

        api.setStatus(StatusReport.of(api, deployment(2, 2), null, ReportedRates.NONE, null, null, T0.plusSeconds(60)));
        assertThat(ready(api).getStatus()).isEqualTo("True");
        assertThat(ready(api).getLastTransitionTime()).isEqualTo("2026-11-22T10:01:00Z");
    }

    @Test
    void onlyWhatAUserReadsCountsAsAChange() {
        ScaledApi api = api(1, 6);
        Decision hold = Decisions.decision(2, Decision.Mode.Stable, "hold: 180 req/s needs 2 replicas", 180, 182, 0.8);
        api.setStatus(StatusReport.of(api, deployment(2, 2), hold, ReportedRates.NONE.next(hold), null, null, T0));

        // The next tick: other figures in the reason, the same rates as shown, a later time.
        Decision next = Decisions.decision(2, Decision.Mode.Stable, "hold: 184 req/s needs 2 replicas", 184, 185, 0.81);
        ReportedRates shown = ReportedRates.of(api.getStatus()).next(next);
        var same = StatusReport.of(api, deployment(2, 2), next, shown, null, null, T0.plusSeconds(2));
        assertThat(StatusReport.sameToAUser(api.getStatus(), same))
                .as("only the reason's figures moved")
                .isTrue();

        var readyChanged = StatusReport.of(api, deployment(2, 1), next, shown, null, null, T0.plusSeconds(2));
        assertThat(StatusReport.sameToAUser(api.getStatus(), readyChanged))
                .as("a pod became unready")
                .isFalse();

        Decision faster = Decisions.decision(2, Decision.Mode.Burst, "burst", 184, 400, 0.81);
        var burst = StatusReport.of(
                api,
                deployment(2, 2),
                faster,
                ReportedRates.of(api.getStatus()).next(faster),
                null,
                null,
                T0.plusSeconds(2));
        assertThat(StatusReport.sameToAUser(api.getStatus(), burst))
                .as("burst mode, and a burst rate past its margin")
                .isFalse();
    }

    @Test
    void recentDecisionsKeepTheNewestFiveOldestFirstAndCarryOver() {
        ScaledApi api = api(1, 10);
        var status = StatusReport.of(api, deployment(1, 1), null, ReportedRates.NONE, null, null, T0);
        for (int i = 1; i <= 7; i++) {
            StatusReport.addDecision(status, T0.plusSeconds(i), i, i + 1, i % 2 == 0, "up " + i);
        }
        assertThat(status.recentDecisions)
                .extracting(d -> d.reason)
                .containsExactly("up 3", "up 4", "up 5", "up 6", "up 7");
        assertThat(status.recentDecisions.get(4)).satisfies(d -> {
            assertThat(d.time).isEqualTo("2026-11-22T10:00:07Z");
            assertThat(d.from).isEqualTo(7);
            assertThat(d.to).isEqualTo(8);
            assertThat(d.applied).isFalse();
        });
        api.setStatus(status);
        assertThat(StatusReport.of(api, deployment(8, 8), null, ReportedRates.NONE, null, null, T0.plusSeconds(10))
                        .recentDecisions)
                .isEqualTo(status.recentDecisions);
    }

    @Test
    void recommendModeSaysScalingIsNotActiveAndShowsTheRecommendation() {
        ScaledApi api = api(1, 10);
        api.getSpec().scaling.updateMode = ScaledApiSpec.UpdateMode.Recommend;
        Decision up = Decisions.decision(4, Decision.Mode.Stable, "up: 380 req/s needs 4 replicas", 380, 380, 0.8);
        var status = StatusReport.of(api, deployment(2, 2), up, ReportedRates.NONE.next(up), null, null, T0);
        assertThat(status.desiredReplicas).isEqualTo(4);
        assertThat(status.replicas).isEqualTo(2);
        assertThat(StatusReport.find(status, StatusReport.SCALING_ACTIVE).orElseThrow())
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo(StatusReport.RECOMMEND_ONLY);
                    assertThat(c.getMessage()).contains("recommended 4: up: 380 req/s");
                });
    }

    @Test
    void loadedPodsThatGaveNoAnswerMakeMetricsUnavailableWhileScalingGoesOn() {
        ScaledApi api = api(1, 10);
        Decision up = new Decision(
                3,
                Decision.Mode.Burst,
                "burst: ... (1 loaded pod(s) gave no full answer to their scrape and " + "were counted saturated: a-1)",
                Decisions.rates(70, 300, Double.NaN, Double.NaN),
                true,
                "1 of 2 ready pods measured; 1 loaded gave no full answer (a-1), counted saturated",
                null,
                java.util.Map.of(),
                "ScrapeTimeout",
                60.4);
        var status = StatusReport.of(api, deployment(2, 2), up, ReportedRates.NONE.next(up), null, null, T0);
        assertThat(StatusReport.find(status, StatusReport.METRICS_AVAILABLE).orElseThrow())
                .satisfies(c -> {
                    assertThat(c.getStatus()).isEqualTo("False");
                    assertThat(c.getReason()).isEqualTo("ScrapeTimeout");
                    assertThat(c.getMessage()).contains("a-1", "counted saturated");
                });
        assertThat(StatusReport.find(status, StatusReport.SCALING_ACTIVE)
                        .orElseThrow()
                        .getStatus())
                .isEqualTo("True");
        assertThat(status.desiredReplicas).isEqualTo(3);
        // The pods carry 60 req/s, the target says 100: replicas are planned at 60 % / (1 + 10 % tolerance) of what
        // was measured, 32.7.
        assertThat(status.podCapacity.measuredRequestsPerSecond).isEqualTo(60.0);
        assertThat(status.podCapacity.targetRequestsPerSecond).isEqualTo(100.0);
        assertThat(status.podCapacity.plannedRequestsPerSecond).isEqualTo(33.0);
    }

    @Test
    void aMissingDeploymentIsNotReadyAndCountsZero() {
        ScaledApi api = api(1, 3);
        var status = StatusReport.of(api, null, null, ReportedRates.NONE, null, null, T0);
        assertThat(status.replicas).isZero();
        assertThat(StatusReport.find(status, StatusReport.READY).orElseThrow().getReason())
                .isEqualTo("DeploymentMissing");
    }

    @ParameterizedTest
    @CsvSource({"1,3,1,True,AtMinimum", "1,3,2,False,WithinBounds", "1,3,3,True,AtMaximum", "2,2,2,True,AtMinimum"})
    void scalingLimitedSaysWhichBoundHolds(int min, int max, int replicas, String status, String reason) {
        var limited = StatusReport.find(
                        StatusReport.of(
                                api(min, max),
                                deployment(replicas, replicas),
                                null,
                                ReportedRates.NONE,
                                null,
                                null,
                                T0),
                        StatusReport.SCALING_LIMITED)
                .orElseThrow();
        assertThat(limited.getStatus()).isEqualTo(status);
        assertThat(limited.getReason()).isEqualTo(reason);
    }

    @ParameterizedTest
    @CsvSource({"1,10,,1", "1,10,4,4", "2,10,1,2", "1,3,7,3"})
    void replicasStartAtMinThenStayWithinTheBounds(int min, int max, Integer current, int expected) {
        ScaledApiSpec.Replicas bounds = new ScaledApiSpec.Replicas();
        bounds.min = min;
        bounds.max = max;
        assertThat(DeploymentDependent.replicas(bounds, current)).isEqualTo(expected);
    }

    static io.fabric8.kubernetes.api.model.Condition ready(ScaledApi api) {
        return StatusReport.find(api.getStatus(), StatusReport.READY).orElseThrow();
    }

    static ScaledApi api(int min, int max) {
        ScaledApi api = TestResources.scaledApi("""
                apiVersion: scaledapi.io/v1alpha1
                kind: ScaledApi
                metadata: {name: a, namespace: n, generation: 3}
                spec:
                  image: img
                  cache: {ttl: 60s}
                  replicas: {min: %d, max: %d}
                  scaling: {targetRequestsPerSecond: 100}
                """.formatted(min, max));
        return api;
    }

    static Deployment deployment(int replicas, int ready) {
        return new DeploymentBuilder()
                .withNewSpec()
                .withReplicas(replicas)
                .endSpec()
                .withNewStatus()
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .endStatus()
                .build();
    }
}
