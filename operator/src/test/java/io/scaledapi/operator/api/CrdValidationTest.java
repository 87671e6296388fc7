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
        ScalingPolicy policy = createWithScaling("old-words", "panic:\n      window: 4s\n      threshold: 3")
                .getSpec()
                .scalingPolicy();
        assertThat(policy.windows().burst()).hasSeconds(4);
        assertThat(policy.burstThreshold()).isEqualTo(3.0);
        assertThat(createWithScaling("new-words", "burst:\n      window: 4s\n      threshold: 3")
                        .getSpec()
                        .scalingPolicy())
                .isEqualTo(policy);
    }

    /** {@code scaling.mode} is the deprecated name of {@code scaling.updateMode}: still read, and the new name wins. */
    @Test
    void theDeprecatedModeStillSetsTheUpdateModeAndTheNewNameWins() {
        assertThat(createWithScaling("old-mode", "mode: Recommend").getSpec().recommendOnly())
                .isTrue();
        assertThat(createWithScaling("both-modes", "mode: Recommend\n    updateMode: Auto")
                        .getSpec()
                        .recommendOnly())
                .isFalse();
        ScaledApi unset = client.resource(TestResources.minimal("no-mode", 1, 10))
                .inNamespace(namespace)
                .create();
        assertThat(unset.getSpec().effectiveUpdateMode()).isEqualTo(ScaledApiSpec.UpdateMode.Auto);
    }

    /** The minimal resource with {@code lines} added under {@code spec.scaling}, created. */
    private static ScaledApi createWithScaling(String name, String lines) {
        String yaml = MINIMAL.formatted(name)
                .replace("targetRequestsPerSecond: 400", "targetRequestsPerSecond: 400\n    " + lines);
        return client.resource(TestResources.scaledApi(yaml))
                .inNamespace(namespace)
                .create();
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
