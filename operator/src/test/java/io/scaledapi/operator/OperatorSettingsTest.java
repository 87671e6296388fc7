package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class OperatorSettingsTest {

    @Test
    void defaultsOutsideAndInsideACluster() {
        OperatorSettings outside = OperatorSettings.fromEnvironment(Map.of());
        assertThat(outside.watchNamespaces()).isEmpty();
        assertThat(outside.leaderElection()).isFalse();
        assertThat(outside.healthPort()).isEqualTo(8081);
        assertThat(outside.exitOnLostLease()).isTrue();

        OperatorSettings inside = OperatorSettings.fromEnvironment(Map.of(
                "KUBERNETES_SERVICE_HOST",
                "kubernetes.default.svc",
                "POD_NAMESPACE",
                "scaledapi-system",
                "POD_NAME",
                "scaledapi-operator-abc"));
        assertThat(inside.leaderElection()).isTrue();
        assertThat(inside.leaseNamespace()).isEqualTo("scaledapi-system");
        assertThat(inside.identity()).isEqualTo("scaledapi-operator-abc");
    }

    @Test
    void namespacesAreAList() {
        assertThat(OperatorSettings.fromEnvironment(Map.of("WATCH_NAMESPACES", " team-a, team-b ,,"))
                        .watchNamespaces())
                .containsExactlyInAnyOrder("team-a", "team-b");
    }

    @Test
    void badValuesAreRefusedNamingTheVariable() {
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("LEADER_ELECTION", "yes")))
                .hasMessageContaining("LEADER_ELECTION");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("HEALTH_PORT", "http")))
                .hasMessageContaining("HEALTH_PORT");
        assertThatThrownBy(() -> OperatorSettings.fromEnvironment(Map.of("HEALTH_PORT", "70000")))
                .hasMessageContaining("HEALTH_PORT");
    }
}
