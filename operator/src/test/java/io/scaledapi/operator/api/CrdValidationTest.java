package io.scaledapi.operator.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.scaledapi.operator.KubeApiBinaries;
import io.scaledapi.operator.TestResources;

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
        ScaledApi created = client.resource(TestResources.minimal("catalog", 1, 10)).inNamespace(namespace).create();
        assertThat(created.getSpec().port).isEqualTo(8080);
        assertThat(created.getSpec().cache.maxEntries).isEqualTo(10000L);
        assertThat(created.getSpec().scaling.interval).isEqualTo("2s");
        assertThat(created.getSpec().paused).isFalse();
        assertThat(client.resources(ScaledApi.class).inNamespace(namespace).withName("catalog").get()).isNotNull();
    }

    @Test
    void aLatencyTargetAloneIsEnough() {
        String yaml = MINIMAL.formatted("latency").replace("targetRequestsPerSecond: 400",
                "latencyTarget:\n      percentile: 95\n      threshold: 50ms");
        assertThat(client.resource(TestResources.scaledApi(yaml)).inNamespace(namespace).create()).isNotNull();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', textBlock = """
            min over max                | 'min: 1'                          | 'min: 11'                                    | spec.replicas.min
            min zero                    | 'min: 1'                          | 'min: 0'                                     | spec.replicas.min
            max over 1000               | 'max: 10'                         | 'max: 1001'                                  | spec.replicas.max
            negative ttl                | 'ttl: 60s'                        | 'ttl: -5s'                                   | spec.cache.ttl
            garbage ttl                 | 'ttl: 60s'                        | 'ttl: soon'                                  | spec.cache.ttl
            zero ttl                    | 'ttl: 60s'                        | 'ttl: 0s'                                    | spec.cache.ttl
            missing image               | 'image: scaledapi/sample-api:0.1.0' | 'port: 8080'                               | spec.image
            empty image                 | 'image: scaledapi/sample-api:0.1.0' | 'image: ""'                                | spec.image
            port 70000                  | 'image: scaledapi/sample-api:0.1.0' | 'image: x\n  port: 70000'                  | spec.port
            zero target                 | 'targetRequestsPerSecond: 400'    | 'targetRequestsPerSecond: 0'                 | spec.scaling.targetRequestsPerSecond
            no target at all            | 'targetRequestsPerSecond: 400'    | 'interval: 2s'                               | spec.scaling
            percentile 100              | 'targetRequestsPerSecond: 400'    | 'latencyTarget: {percentile: 100, threshold: 50ms}' | spec.scaling.latencyTarget.percentile
            percentile 0                | 'targetRequestsPerSecond: 400'    | 'latencyTarget: {percentile: 0, threshold: 50ms}'   | spec.scaling.latencyTarget.percentile
            interval too short          | 'targetRequestsPerSecond: 400'    | 'targetRequestsPerSecond: 400\n    interval: 10ms' | spec.scaling.interval
            max entries zero            | 'ttl: 60s'                        | 'ttl: 60s\n    maxEntries: 0'                | spec.cache.maxEntries
            metrics path not absolute   | 'targetRequestsPerSecond: 400'    | 'targetRequestsPerSecond: 400\n  metrics:\n    path: metrics' | spec.metrics.path
            missing cache               | 'cache:\n    ttl: 60s'            | 'paused: false'                              | spec.cache
            """)
    void malformedResourcesAreRefusedNamingTheField(String name, String from, String to, String field) {
        String yaml = MINIMAL.formatted("bad").replace(from.replace("\\n", "\n"), to.replace("\\n", "\n"));
        assertThat(yaml).as("the test's replacement applied").isNotEqualTo(MINIMAL.formatted("bad"));
        assertThatThrownBy(() -> client.resource(TestResources.scaledApi(yaml)).inNamespace(namespace).create())
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e -> assertThat(((KubernetesClientException) e).getCode()).isEqualTo(422))
                .hasMessageContaining(field);
    }
}
