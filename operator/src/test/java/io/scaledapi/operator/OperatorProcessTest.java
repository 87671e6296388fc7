package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.api.ScaledApi;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The operator process on a real kube-apiserver: probes and metrics, restart, leader election, namespaces. */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class OperatorProcessTest {

    static final Duration WAIT = Duration.ofSeconds(40);
    static KubernetesClient client;
    final List<ScaledApiOperator> started = new ArrayList<>();
    final HttpClient http = HttpClient.newHttpClient();

    @BeforeAll
    static void crd() {
        TestResources.installCrd(client);
    }

    @AfterEach
    void stopAll() {
        started.forEach(ScaledApiOperator::close);
    }

    @Test
    void probesAndMetricsAreServedOnOnePort() throws Exception {
        ScaledApiOperator operator = start(settings(Set.of(), false, "solo"));
        String ns = TestResources.newNamespace(client);
        create(ns, "metrics", "scaledapi/sample-api:0.1.0");
        await().atMost(WAIT)
                .until(() -> client.apps()
                                .deployments()
                                .inNamespace(ns)
                                .withName("metrics")
                                .get()
                        != null);

        assertThat(get(operator, "/healthz").statusCode()).isEqualTo(200);
        assertThat(get(operator, "/readyz").statusCode()).isEqualTo(200);
        await().atMost(WAIT).untilAsserted(() -> {
            String metrics = get(operator, "/metrics").body();
            assertThat(metrics).contains("jvm_memory_used_bytes");
            assertThat(metrics).containsPattern("operator_sdk_reconciliations_\\w+_total\\{[^}]*\\} [1-9]");
        });
        assertThat(get(operator, "/other").statusCode()).isEqualTo(404);
    }

    @Test
    void aRestartedOperatorConvergesWithoutDuplicates() {
        String ns = TestResources.newNamespace(client);
        ScaledApiOperator first = start(settings(Set.of(), false, "first"));
        create(ns, "restart", "scaledapi/sample-api:0.1.0");
        await().atMost(WAIT)
                .until(() ->
                        client.services().inNamespace(ns).withName("restart").get() != null
                                && client.apps()
                                                .deployments()
                                                .inNamespace(ns)
                                                .withName("restart")
                                                .get()
                                        != null);
        first.close();
        started.remove(first);

        // While no operator runs: the spec changes and an owned object is lost.
        TestResources.editSpec(client, ns, "restart", spec -> {
            spec.image = "scaledapi/sample-api:0.2.0";
        });
        client.services().inNamespace(ns).withName("restart").delete();
        await().atMost(WAIT)
                .until(() ->
                        client.services().inNamespace(ns).withName("restart").get() == null);

        start(settings(Set.of(), false, "second"));
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(client.apps().deployments().inNamespace(ns).list().getItems())
                    .singleElement()
                    .satisfies(d -> {
                        assertThat(d.getSpec()
                                        .getTemplate()
                                        .getSpec()
                                        .getContainers()
                                        .get(0)
                                        .getImage())
                                .isEqualTo("scaledapi/sample-api:0.2.0");
                        assertThat(d.getMetadata().getOwnerReferences()).hasSize(1);
                    });
            assertThat(client.services().inNamespace(ns).list().getItems())
                    .singleElement()
                    .satisfies(s ->
                            assertThat(s.getMetadata().getOwnerReferences()).hasSize(1));
            ScaledApi api = client.resources(ScaledApi.class)
                    .inNamespace(ns)
                    .withName("restart")
                    .get();
            assertThat(api.getStatus().observedGeneration)
                    .isEqualTo(api.getMetadata().getGeneration());
        });
    }

    @Test
    void onlyTheLeaseHolderActsAndAStandbyTakesOver() {
        String leaseNs = TestResources.newNamespace(client);
        ScaledApiOperator a = start(settings(Set.of(), true, "replica-a", leaseNs));
        ScaledApiOperator b = start(settings(Set.of(), true, "replica-b", leaseNs));
        Lease lease = await().atMost(WAIT)
                .until(
                        () -> client.leases()
                                .inNamespace(leaseNs)
                                .withName("scaledapi-operator")
                                .get(),
                        l -> l != null && l.getSpec().getHolderIdentity() != null);
        String leader = lease.getSpec().getHolderIdentity();
        ScaledApiOperator leading = leader.equals("replica-a") ? a : b;
        ScaledApiOperator standby = leading == a ? b : a;

        String ns = TestResources.newNamespace(client);
        create(ns, "led", "scaledapi/sample-api:0.1.0");
        await().atMost(WAIT)
                .until(() -> client.apps()
                                .deployments()
                                .inNamespace(ns)
                                .withName("led")
                                .get()
                        != null);
        assertThat(reconciliations(leading)).isPositive();
        assertThat(reconciliations(standby)).as("the standby never reconciles").isZero();

        leading.close();
        started.remove(leading);
        create(ns, "after-failover", "scaledapi/sample-api:0.1.0");
        await().atMost(Duration.ofSeconds(60))
                .until(() -> client.apps()
                                .deployments()
                                .inNamespace(ns)
                                .withName("after-failover")
                                .get()
                        != null);
        assertThat(client.leases()
                        .inNamespace(leaseNs)
                        .withName("scaledapi-operator")
                        .get()
                        .getSpec()
                        .getHolderIdentity())
                .isNotEqualTo(leader);
        assertThat(reconciliations(standby)).isPositive();
    }

    @Test
    void aConfiguredNamespaceListIsAllThatIsWatched() {
        String watched = TestResources.newNamespace(client);
        String ignored = TestResources.newNamespace(client);
        start(settings(Set.of(watched), false, "scoped"));
        create(ignored, "elsewhere", "scaledapi/sample-api:0.1.0");
        create(watched, "here", "scaledapi/sample-api:0.1.0");
        await().atMost(WAIT)
                .until(() -> client.apps()
                                .deployments()
                                .inNamespace(watched)
                                .withName("here")
                                .get()
                        != null);
        // Once "here" is done, a reconcile of "elsewhere" would have been done too had it been watched.
        await().atMost(WAIT)
                .until(() -> client.resources(ScaledApi.class)
                                .inNamespace(watched)
                                .withName("here")
                                .get()
                                .getStatus()
                        != null);
        assertThat(client.apps().deployments().inNamespace(ignored).list().getItems())
                .isEmpty();
        assertThat(client.resources(ScaledApi.class)
                        .inNamespace(ignored)
                        .withName("elsewhere")
                        .get()
                        .getStatus())
                .isNull();
    }

    // --- helpers

    OperatorSettings settings(Set<String> namespaces, boolean leaderElection, String identity) {
        return settings(namespaces, leaderElection, identity, "default");
    }

    OperatorSettings settings(Set<String> namespaces, boolean leaderElection, String identity, String leaseNamespace) {
        return new OperatorSettings(
                namespaces,
                leaderElection,
                "scaledapi-operator",
                leaseNamespace,
                identity,
                "127.0.0.1",
                0,
                false,
                "direct",
                Duration.ofSeconds(1),
                8);
    }

    ScaledApiOperator start(OperatorSettings settings) {
        try {
            ScaledApiOperator operator = new ScaledApiOperator(client, settings, Clock.systemUTC());
            started.add(operator);
            operator.start();
            return operator;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    void create(String namespace, String name, String image) {
        ScaledApi api = TestResources.minimal(name, 1, 3);
        api.getSpec().image = image;
        client.resource(api).inNamespace(namespace).create();
    }

    HttpResponse<String> get(ScaledApiOperator operator, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + operator.healthPort() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    static double reconciliations(ScaledApiOperator operator) {
        return operator.registry().getMeters().stream()
                .filter(m -> m.getId().getName().startsWith("operator.sdk.reconciliations.started"))
                .mapToDouble(m -> m.measure().iterator().next().getValue())
                .sum();
    }
}
