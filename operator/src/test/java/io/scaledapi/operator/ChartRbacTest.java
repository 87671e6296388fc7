package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scaledapi.operator.api.ScaledApi;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The chart's RBAC, proven on a real kube-apiserver with RBAC authorization: the rendered manifests are accepted
 * (server-side dry run), the operator runs under the chart's ServiceAccount token and reconciles an example fully,
 * and that account can neither read Secrets nor touch what is not its to touch.
 */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class ChartRbacTest {

    static final Duration WAIT = Duration.ofSeconds(40);
    static KubernetesClient admin;

    @BeforeAll
    static void crd() {
        TestResources.installCrd(admin);
    }

    @Test
    void theRenderedChartIsAcceptedByTheApiServer() {
        String ns = TestResources.newNamespace(admin);
        String watched = TestResources.newNamespace(admin);
        for (String rendered : List.of(
                HelmChart.template(ns), HelmChart.template(ns, "watchNamespaces={" + watched + "}", "replicas=2"))) {
            List<HasMetadata> items = load(rendered);
            assertThat(items).extracting(HasMetadata::getKind).contains("ServiceAccount", "Deployment", "Service");
            for (HasMetadata item : items) {
                admin.resource(item).dryRun().serverSideApply();
            }
        }
    }

    @Test
    void badValuesAreRefusedByTheChartsSchema() {
        assertThatThrownBy(() -> HelmChart.template("x", "replicas=0")).hasMessageContaining("replicas");
        assertThatThrownBy(() -> HelmChart.template("x", "scrape.mode=sideways"))
                .hasMessageContaining("scrape.mode");
        assertThatThrownBy(() -> HelmChart.template("x", "watchNamespaces={Not_A_Namespace}"))
                .hasMessageContaining("watchNamespaces");
    }

    @Test
    void podsProxyIsGrantedOnlyInProxyScrapeMode() {
        // auto means direct inside a cluster, where the chart runs the operator: it needs no proxy either.
        for (String mode : List.of("direct", "auto", "proxy")) {
            String release = TestResources.newNamespace(admin);
            String apps = TestResources.newNamespace(admin);
            try (KubernetesClient operatorClient =
                    install(release, "watchNamespaces={" + apps + "}", "scrape.mode=" + mode)) {
                assertThat(allowed(operatorClient, apps, "get", "pods", null))
                        .as("get pods in %s mode", mode)
                        .isTrue();
                assertThat(allowed(operatorClient, apps, "get", "pods", "proxy"))
                        .as("get pods/proxy in %s mode", mode)
                        .isEqualTo(mode.equals("proxy"));
            }
        }
    }

    @Test
    void withoutLeaderElectionAnUpgradeStopsTheOldOperatorBeforeTheNewOneStarts() {
        assertThat(strategyAndElection(HelmChart.template("x"))).containsExactly("Recreate", "false");
        assertThat(strategyAndElection(HelmChart.template("x", "leaderElection.enabled=true")))
                .containsExactly("RollingUpdate", "true");
        // Two replicas turn leader election on whatever the value says: two active operators would fight.
        assertThat(strategyAndElection(HelmChart.template("x", "replicas=2"))).containsExactly("RollingUpdate", "true");
    }

    /** The Deployment's update strategy and the LEADER_ELECTION its container is given. */
    static List<String> strategyAndElection(String rendered) {
        Deployment deployment = load(rendered).stream()
                .filter(i -> i instanceof Deployment)
                .map(i -> (Deployment) i)
                .findFirst()
                .orElseThrow();
        String election = deployment.getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                .filter(e -> e.getName().equals("LEADER_ELECTION"))
                .map(EnvVar::getValue)
                .findFirst()
                .orElseThrow();
        return List.of(deployment.getSpec().getStrategy().getType(), election);
    }

    /** Whether the API server lets {@code client}'s identity do {@code verb} on a resource in {@code namespace}. */
    static boolean allowed(KubernetesClient client, String namespace, String verb, String resource, String sub) {
        return client.authorization()
                .v1()
                .selfSubjectAccessReview()
                .create(new SelfSubjectAccessReviewBuilder()
                        .withNewSpec()
                        .withNewResourceAttributes()
                        .withNamespace(namespace)
                        .withVerb(verb)
                        .withResource(resource)
                        .withSubresource(sub)
                        .endResourceAttributes()
                        .endSpec()
                        .build())
                .getStatus()
                .getAllowed();
    }

    @Test
    void clusterWideTheOperatorReconcilesWithTheChartsRbacAndNothingMore() throws Exception {
        String release = TestResources.newNamespace(admin);
        String apps = TestResources.newNamespace(admin);
        KubernetesClient operatorClient = install(release, "leaderElection.enabled=true");
        try (ScaledApiOperator operator =
                new ScaledApiOperator(operatorClient, settings(Set.of(), true, release), Clock.systemUTC())) {
            operator.start();
            reconciled(apps);
            assertThat(admin.leases()
                            .inNamespace(release)
                            .withName("scaledapi-operator")
                            .get())
                    .isNotNull();

            assertForbidden(() -> operatorClient.secrets().inNamespace(apps).list());
            assertForbidden(() -> operatorClient.secrets().inNamespace(release).list());
            // ConfigMaps: get, create and patch for the autoscaler's checkpoints, nothing more.
            assertForbidden(() -> operatorClient.configMaps().inNamespace(apps).list());
            assertForbidden(() -> operatorClient
                    .configMaps()
                    .inNamespace(apps)
                    .withName("catalog-autoscaler")
                    .delete());
            // Pods: patch for the deletion-cost annotation, never delete or create.
            assertForbidden(() -> operatorClient
                    .pods()
                    .inNamespace(apps)
                    .withName("catalog-0")
                    .delete());
            assertForbidden(() -> operatorClient.namespaces().list());
            assertForbidden(() -> operatorClient.nodes().list());
            assertForbidden(() -> operatorClient.rbac().clusterRoles().list());
            assertForbidden(() -> operatorClient
                    .apiextensions()
                    .v1()
                    .customResourceDefinitions()
                    .list());
        } finally {
            operatorClient.close();
        }
    }

    @Test
    void withWatchNamespacesItsRightsStopAtThoseNamespaces() throws Exception {
        String release = TestResources.newNamespace(admin);
        String apps = TestResources.newNamespace(admin);
        String other = TestResources.newNamespace(admin);
        KubernetesClient operatorClient = install(release, "watchNamespaces={" + apps + "}");
        try (ScaledApiOperator operator =
                new ScaledApiOperator(operatorClient, settings(Set.of(apps), false, release), Clock.systemUTC())) {
            operator.start();
            reconciled(apps);
            assertForbidden(
                    () -> operatorClient.apps().deployments().inNamespace(other).list());
            assertForbidden(() ->
                    operatorClient.resources(ScaledApi.class).inNamespace(other).list());
            assertForbidden(() -> operatorClient.pods().inNamespace(other).list());
            assertForbidden(() -> operatorClient.secrets().inNamespace(apps).list());
        } finally {
            operatorClient.close();
        }
    }

    /** Applies the rendered chart as an administrator would, and returns a client holding its ServiceAccount's token. */
    KubernetesClient install(String namespace, String... sets) {
        return installAs(admin, namespace, load(HelmChart.template(namespace, sets)));
    }

    /** Applies rendered manifests as {@code admin}; returns a client holding their ServiceAccount's token. */
    static KubernetesClient installAs(KubernetesClient admin, String namespace, List<HasMetadata> items) {
        for (HasMetadata item : items) {
            admin.resource(item).serverSideApply();
        }
        ServiceAccount sa = items.stream()
                .filter(i -> i instanceof ServiceAccount)
                .map(i -> (ServiceAccount) i)
                .findFirst()
                .orElseThrow();
        String token = admin.serviceAccounts()
                .inNamespace(namespace)
                .withName(sa.getMetadata().getName())
                .tokenRequest(new TokenRequestBuilder()
                        .withNewSpec()
                        .withExpirationSeconds(3600L)
                        .endSpec()
                        .build())
                .getStatus()
                .getToken();
        Config adminConfig = admin.getConfiguration();
        Config config = new ConfigBuilder(Config.empty())
                .withMasterUrl(adminConfig.getMasterUrl())
                .withCaCertData(adminConfig.getCaCertData())
                .withCaCertFile(adminConfig.getCaCertFile())
                .withOauthToken(token)
                .build();
        return new KubernetesClientBuilder().withConfig(config).build();
    }

    void reconciled(String namespace) {
        ScaledApi api = TestResources.minimal("catalog", 2, 4);
        admin.resource(api).inNamespace(namespace).create();
        await().atMost(WAIT).untilAsserted(() -> {
            assertThat(admin.apps()
                            .deployments()
                            .inNamespace(namespace)
                            .withName("catalog")
                            .get())
                    .isNotNull();
            assertThat(admin.services()
                            .inNamespace(namespace)
                            .withName("catalog")
                            .get())
                    .isNotNull();
            assertThat(admin.policy()
                            .v1()
                            .podDisruptionBudget()
                            .inNamespace(namespace)
                            .withName("catalog")
                            .get())
                    .isNotNull();
            ScaledApi current = admin.resources(ScaledApi.class)
                    .inNamespace(namespace)
                    .withName("catalog")
                    .get();
            assertThat(current.getStatus()).isNotNull();
            assertThat(current.getStatus().observedGeneration)
                    .isEqualTo(current.getMetadata().getGeneration());
        });
        await().atMost(WAIT)
                .until(() -> admin.v1().events().inNamespace(namespace).list().getItems().stream()
                        .anyMatch(e -> e.getReason().equals("Created")));
    }

    static void assertForbidden(Runnable call) {
        assertThatThrownBy(call::run)
                .isInstanceOf(KubernetesClientException.class)
                .satisfies(e ->
                        assertThat(((KubernetesClientException) e).getCode()).isEqualTo(403));
    }

    static OperatorSettings settings(Set<String> namespaces, boolean leaderElection, String leaseNamespace) {
        return new OperatorSettings(
                namespaces,
                leaderElection,
                "scaledapi-operator",
                leaseNamespace,
                "chart-test",
                "127.0.0.1",
                0,
                false,
                "direct",
                Duration.ofSeconds(1),
                8);
    }

    static List<HasMetadata> load(String yaml) {
        return load(admin, yaml);
    }

    static List<HasMetadata> load(KubernetesClient admin, String yaml) {
        return admin.load(new ByteArrayInputStream(yaml.getBytes(StandardCharsets.UTF_8)))
                .items();
    }
}
