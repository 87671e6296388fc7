package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The chart's ClusterRole is minimal: with all its rules the operator does everything a ScaledApi asks (every owned
 * object, status, events, the checkpoint, a pod's resize); with any one rule removed, something of that fails. The API
 * server enforces owner references as clusters that enable the admission plugin do, so the finalizers rule is tested.
 */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(
        updateKubeConfigFile = false,
        apiServerFlags = {"--enable-admission-plugins=OwnerReferencesPermissionEnforcement"})
class ChartRbacMinimalTest {

    /** How long a ScaledApi is given to be fully reconciled; with all rules it takes a few seconds. */
    static final Duration BOUND = Duration.ofSeconds(30);
    /** How long it must stay short of that with a rule removed. */
    static final Duration SHORT_OF_IT = Duration.ofSeconds(15);

    static KubernetesClient client;

    @BeforeAll
    static void crd() {
        TestResources.installCrd(client);
    }

    /** The rules of the chart's ClusterRole (cluster-wide, direct scrapes), one test each. */
    static Stream<String> rules() {
        return IntStream.range(0, clusterRole().getRules().size())
                .mapToObj(i -> i + " " + describe(clusterRole().getRules().get(i)));
    }

    @Test
    void withEveryRuleTheOperatorDoesAllAScaledApiAsks() throws Exception {
        String release = TestResources.newNamespace(client);
        String apps = TestResources.newNamespace(client);
        try (Run run = new Run(release, apps, -1)) {
            await().atMost(BOUND).untilAsserted(() -> assertThat(run.missing()).isEmpty());
        }
    }

    @ParameterizedTest(name = "without rule {0}")
    @MethodSource("rules")
    void withoutAnyOneRuleSomethingFails(String rule) throws Exception {
        int index = Integer.parseInt(rule.substring(0, rule.indexOf(' ')));
        String release = TestResources.newNamespace(client);
        String apps = TestResources.newNamespace(client);
        try (Run run = new Run(release, apps, index)) {
            if (run.startFailure != null) {
                return; // the operator could not even start: its informers were refused
            }
            await().during(SHORT_OF_IT)
                    .atMost(SHORT_OF_IT.plusSeconds(10))
                    .until(() -> !run.missing().isEmpty());
            System.out.println("rbac: without " + rule + ": missing " + run.missing());
        }
    }

    static ClusterRole clusterRole() {
        return ChartRbacTest.load(client, HelmChart.template("scaledapi-system")).stream()
                .filter(i -> i instanceof ClusterRole)
                .map(i -> (ClusterRole) i)
                .findFirst()
                .orElseThrow();
    }

    static String describe(PolicyRule rule) {
        return String.join(",", rule.getResources()) + " " + String.join(",", rule.getVerbs());
    }

    /**
     * The chart installed in {@code release} without the rule at {@code removed} (-1: none), the operator running
     * under its token, and one ScaledApi that asks for everything: min 2 (a budget), a managed Redis (its Deployment,
     * Service, NetworkPolicy and Secret), and a boosted pod that turns ready (a resize).
     */
    static final class Run implements AutoCloseable {
        final String apps;
        final KubernetesClient operatorClient;
        ScaledApiOperator operator;
        Exception startFailure;

        Run(String release, String apps, int removed) throws Exception {
            this.apps = apps;
            List<HasMetadata> items = new ArrayList<>(ChartRbacTest.load(client, HelmChart.template(release)));
            if (removed >= 0) {
                ClusterRole role = (ClusterRole) items.stream()
                        .filter(i -> i instanceof ClusterRole)
                        .findFirst()
                        .orElseThrow();
                role.getRules().remove(removed);
            }
            operatorClient = ChartRbacTest.installAs(client, release, items);
            try {
                operator = new ScaledApiOperator(
                        operatorClient, ChartRbacTest.settings(Set.of(), false, release), Clock.systemUTC());
                operator.start();
            } catch (Exception e) {
                startFailure = e;
                return;
            }
            ScaledApi api = TestResources.minimal("full", 2, 4);
            api.getSpec().cache.shared = new ScaledApiSpec.SharedCache();
            api.getSpec().cache.shared.managed = new ScaledApiSpec.ManagedRedis();
            api.getSpec().resources = new ResourceRequirementsBuilder()
                    .addToRequests("cpu", new Quantity("100m"))
                    .addToRequests("memory", new Quantity("64Mi"))
                    .addToLimits("cpu", new Quantity("200m"))
                    .addToLimits("memory", new Quantity("64Mi"))
                    .build();
            client.resource(api).inNamespace(apps).create();
        }

        /** What is not (yet) done of all the ScaledApi asks; empty when everything is. */
        List<String> missing() {
            List<String> missing = new ArrayList<>();
            Deployment deployment = get(Deployment.class, "full");
            if (deployment == null) {
                missing.add("Deployment");
            } else {
                boostedPodResized(deployment, missing);
            }
            for (var kind : List.of(Service.class, PodDisruptionBudget.class)) {
                if (get(kind, "full") == null) {
                    missing.add(kind.getSimpleName());
                }
            }
            if (get(Deployment.class, "full-redis") == null) {
                missing.add("Redis Deployment");
            }
            if (get(Service.class, "full-redis") == null) {
                missing.add("Redis Service");
            }
            if (get(NetworkPolicy.class, "full-redis") == null) {
                missing.add("NetworkPolicy");
            }
            if (get(Secret.class, "full-redis-auth") == null) {
                missing.add("Secret");
            }
            ScaledApi api = get(ScaledApi.class, "full");
            var ready = api.getStatus() == null
                    ? null
                    : api.getStatus().conditions.stream()
                            .filter(c -> c.getType().equals("Ready"))
                            .findFirst()
                            .orElse(null);
            if (ready == null || "ReconcileFailed".equals(ready.getReason())) {
                missing.add("status");
            }
            if (client.v1().events().inNamespace(apps).list().getItems().stream()
                    .noneMatch(e -> e.getReason().equals("Created"))) {
                missing.add("events");
            }
            return missing;
        }

        /** A pod as the ReplicaSet would make it from the boosted template, ready: resized to its steady limit. */
        private void boostedPodResized(Deployment deployment, List<String> missing) {
            Pod pod = get(Pod.class, "full-pod");
            if (pod == null) {
                pod = TestResources.podFromTemplate(
                        client, apps, "full-pod", deployment.getSpec().getTemplate());
                pod = TestResources.reportPodStatus(client, pod, true, 0);
            }
            Quantity limit = pod.getSpec()
                    .getContainers()
                    .get(0)
                    .getResources()
                    .getLimits()
                    .get("cpu");
            if (!new Quantity("200m").equals(limit)) {
                missing.add("resize");
            }
        }

        private <T extends HasMetadata> T get(Class<T> type, String name) {
            return client.resources(type).inNamespace(apps).withName(name).get();
        }

        @Override
        public void close() {
            if (operator != null) {
                operator.close();
            }
            operatorClient.close();
            // The next run's operator watches every namespace: it need not reconcile this one's ScaledApi too.
            client.resources(ScaledApi.class).inNamespace(apps).withName("full").delete();
        }
    }
}
