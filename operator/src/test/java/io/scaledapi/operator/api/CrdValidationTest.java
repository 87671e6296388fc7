package io.scaledapi.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scaledapi.autoscaler.ScalingPolicy;
import io.scaledapi.operator.KubeApiBinaries;
import io.scaledapi.operator.TestResources;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The committed CRD on a real kube-apiserver: good resources are accepted, bad ones refused naming the field. */
@ExtendWith(KubeApiBinaries.class) // before the API server starts: fails clearly when its binaries are missing
@EnableKubeAPIServer(updateKubeConfigFile = false)
class CrdValidationTest {

    static KubernetesClient client;
    static String namespace;

    static final String MINIMAL = TestResources.MINIMAL_YAML;

    @BeforeAll
    static void installCrd() {
        TestResources.installCrd(client);
        namespace = TestResources.newNamespace(client);
    }

    @Test
    void theMinimalResourceIsAcceptedAndDefaulted() {
        ScaledApi created = client.resource(TestResources.minimal("catalog", 1, 10))
                .inNamespace(namespace)
                .create();
        assertThat(created.getSpec().port).isEqualTo(8080);
        assertThat(created.getSpec().cache.maxEntries).isEqualTo(10000L);
        assertThat(created.getSpec().scaling.interval).isEqualTo("2s");
        assertThat(created.getSpec().paused).isFalse();
        assertThat(client.resources(ScaledApi.class)
                        .inNamespace(namespace)
                        .withName("catalog")
                        .get())
                .isNotNull();
    }

    @Test
    void aLatencyTargetAloneIsEnough() {
        String yaml = MINIMAL.formatted("latency")
                .replace("targetRequestsPerSecond: 400", "latencyTarget:\n      percentile: 95\n      threshold: 50ms");
        assertThat(client.resource(TestResources.scaledApi(yaml))
                        .inNamespace(namespace)
                        .create())
                .isNotNull();
    }

    /** {@code scaling.panic} is the deprecated name of {@code scaling.burst}: a resource that uses it still works. */
    @Test
    void theDeprecatedPanicStillSetsBurstMode() {
        String yaml = MINIMAL.formatted("old-words")
                .replace(
                        "targetRequestsPerSecond: 400",
                        "targetRequestsPerSecond: 400\n    panic:\n      window: 4s\n      threshold: 3");
        ScaledApi created = client.resource(TestResources.scaledApi(yaml))
                .inNamespace(namespace)
                .create();
        ScalingPolicy policy = created.getSpec().scalingPolicy();
        assertThat(policy.windows().burst()).hasSeconds(4);
        assertThat(policy.burstThreshold()).isEqualTo(3.0);

        String current = MINIMAL.formatted("new-words")
                .replace(
                        "targetRequestsPerSecond: 400",
                        "targetRequestsPerSecond: 400\n    burst:\n      window: 4s\n      threshold: 3");
        ScaledApi burst = client.resource(TestResources.scaledApi(current))
                .inNamespace(namespace)
                .create();
        assertThat(burst.getSpec().scalingPolicy()).isEqualTo(policy);
    }

    /** {@code scaling.mode} is the deprecated name of {@code scaling.updateMode}: still read, and the new name wins. */
    @Test
    void theDeprecatedModeStillSetsTheUpdateModeAndTheNewNameWins() {
        String old = MINIMAL.formatted("old-mode")
                .replace("targetRequestsPerSecond: 400", "targetRequestsPerSecond: 400\n    mode: Recommend");
        ScaledApi recommend = client.resource(TestResources.scaledApi(old))
                .inNamespace(namespace)
                .create();
        assertThat(recommend.getSpec().recommendOnly()).isTrue();

        String both = MINIMAL.formatted("both-modes")
                .replace(
                        "targetRequestsPerSecond: 400",
                        "targetRequestsPerSecond: 400\n    mode: Recommend\n    updateMode: Auto");
        ScaledApi auto = client.resource(TestResources.scaledApi(both))
                .inNamespace(namespace)
                .create();
        assertThat(auto.getSpec().recommendOnly()).isFalse();

        ScaledApi unset = client.resource(TestResources.minimal("no-mode", 1, 10))
                .inNamespace(namespace)
                .create();
        assertThat(unset.getSpec().effectiveUpdateMode()).isEqualTo(ScaledApiSpec.UpdateMode.Auto);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformed")
    void malformedResourcesAreRefusedNamingTheField(MalformedScaledApis.Case malformed) {
        String field = malformed.field();
        assertThatThrownBy(() -> malformed.create(client, namespace, "bad"))
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(field);
    }

    static java.util.stream.Stream<MalformedScaledApis.Case> malformed() {
        return MalformedScaledApis.CASES.stream();
    }
}
