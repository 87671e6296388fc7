package io.scaledapi.operator.reconcile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.Condition;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.javaoperatorsdk.operator.Operator;
import io.scaledapi.operator.KubeApiBinaries;
import io.scaledapi.operator.TestResources;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.owned.DeploymentDependent;
import io.scaledapi.operator.owned.StartupBoost;
import io.scaledapi.operator.status.StatusReport;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The reconciler against a real kube-apiserver (no controller manager: Deployment status is written by the test). */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class ReconcilerTest {

    static final Duration WAIT = Duration.ofSeconds(30);
    static KubernetesClient client;
    static Operator operator;
    String namespace;

    @BeforeAll
    static void startOperator() {
        TestResources.installCrd(client);
        operator = new Operator(o -> o.withKubernetesClient(client).withCloseClientOnStop(false));
        var threads = io.scaledapi.operator.metrics.PodScraper.newExecutor(4);
        operator.register(new ScaledApiReconciler(
                client,
                Clock.systemUTC(),
                new io.scaledapi.operator.metrics.PodScraper(
                        new io.scaledapi.operator.metrics.DirectFetcher(Duration.ofSeconds(1), threads),
                        Duration.ofSeconds(1),
                        4,
                        threads),
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry()));
        operator.start();
    }

    @AfterAll
    static void stopOperator() {
        operator.stop();
    }

    @BeforeEach
    void namespace() {
        namespace = TestResources.newNamespace(client);
    }

    @Test
    void createsTheDeploymentAndServiceWithOwnersAndARestrictedPod() {
        ScaledApi api = create("catalog", 1, 10, spec -> {
            spec.cache.ttl = "1m30s";
            spec.env = List.of(new EnvVar("LOG_LEVEL", "debug", null), new EnvVar("CACHE_TTL", "1s", null));
        });

        Deployment deployment = await().atMost(WAIT).until(() -> deployment("catalog"), d -> d != null);
        assertOwnedBy(deployment.getMetadata().getOwnerReferences(), api);
        assertThat(deployment.getSpec().getReplicas()).isEqualTo(1);
        assertThat(deployment.getMetadata().getLabels())
                .containsEntry("app.kubernetes.io/managed-by", "scaledapi-operator");
        var pod = deployment.getSpec().getTemplate().getSpec();
        var container = pod.getContainers().get(0);
        assertThat(container.getImage()).isEqualTo("scaledapi/sample-api:0.1.0");
        assertThat(container.getPorts())
                .extracting(p -> p.getName(), p -> p.getContainerPort())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("http", 8080),
                        org.assertj.core.groups.Tuple.tuple("metrics", 8081));
        assertThat(container.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("CACHE_TTL", "90s"),
                        org.assertj.core.groups.Tuple.tuple("CACHE_MAX_ENTRIES", "10000"),
                        org.assertj.core.groups.Tuple.tuple("SERVER_PORT", "8080"),
                        org.assertj.core.groups.Tuple.tuple("MANAGEMENT_SERVER_PORT", "8081"),
                        org.assertj.core.groups.Tuple.tuple("LOG_LEVEL", "debug"));
        // Probes on the metrics port: an overloaded API port does not get its pod restarted.
        assertThat(List.of(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe()))
                .allSatisfy(probe ->
                        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("metrics"));
        assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/liveness");
        assertThat(container.getStartupProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getStartupProbe().getPeriodSeconds()
                        * container.getStartupProbe().getFailureThreshold())
                .as("startup budget in seconds")
                .isEqualTo(120);
        assertThat(container.getLifecycle().getPreStop().getSleep().getSeconds())
                .isEqualTo(DeploymentDependent.PRE_STOP_SECONDS);
        assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/actuator/health/readiness");
        assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
        assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
        assertThat(container.getVolumeMounts()).anyMatch(m -> m.getMountPath().equals("/tmp"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/scrape", "true")
                .containsEntry("prometheus.io/path", "/actuator/prometheus")
                .containsEntry("prometheus.io/port", "8081");

        Service service = await().atMost(WAIT).until(() -> service("catalog"), s -> s != null);
        assertOwnedBy(service.getMetadata().getOwnerReferences(), api);
        assertThat(service.getSpec().getSelector())
                .isEqualTo(deployment.getSpec().getSelector().getMatchLabels());
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(80);

        assertThat(client.resources(PodDisruptionBudget.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .as("no PodDisruptionBudget for min=1")
                .isEmpty();
        await().atMost(WAIT)
                .until(() -> events("catalog").stream()
                        .anyMatch(e -> e.getReason().equals("Created")
                                && e.getMessage().contains("Deployment catalog")));
        await().atMost(WAIT)
                .until(() -> events("catalog").stream()
                        .anyMatch(e -> e.getReason().equals("EnvIgnored")
                                && e.getType().equals("Warning")
                                && e.getMessage().contains("CACHE_TTL")));
    }

    @Test
    void statusFollowsTheDeployment() {
        create("status", 2, 5, spec -> {});
        await().atMost(WAIT).untilAsserted(() -> {
            ScaledApi api = get("status");
            assertThat(api.getStatus()).isNotNull();
            assertThat(api.getStatus().observedGeneration)
                    .isEqualTo(api.getMetadata().getGeneration());
            assertThat(condition(api, "Ready"))
                    .extracting(Condition::getStatus, Condition::getReason)
                    .containsExactly("False", "Progressing");
            assertThat(condition(api, "ScalingLimited").getReason()).isEqualTo("AtMinimum");
            assertThat(condition(api, "MetricsAvailable"))
                    .extracting(Condition::getStatus, Condition::getReason, Condition::getMessage)
                    .containsExactly("False", "MetricsUnavailable", "no pod is ready yet");
            assertThat(condition(api, "ScalingActive").getStatus()).isEqualTo("False");
            assertThat(api.getStatus().mode).isEqualTo("Stable");
        });

        // kube-api-test runs no controller manager: the test plays its part and writes the Deployment's status.
        writeDeploymentStatus("status", 2, 2, null);
        await().atMost(WAIT).untilAsserted(() -> {
            ScaledApi api = get("status");
            assertThat(api.getStatus().readyReplicas).isEqualTo(2);
            assertThat(api.getStatus().replicas).isEqualTo(2);
            assertThat(condition(api, "Ready"))
                    .extracting(Condition::getStatus, Condition::getReason)
                    .containsExactly("True", "Available");
        });

        writeDeploymentStatus("status", 2, 0, "ProgressDeadlineExceeded");
        await().atMost(WAIT).untilAsserted(() -> {
            Condition ready = condition(get("status"), "Ready");
            assertThat(ready.getReason()).isEqualTo("ImageNotReady");
            assertThat(ready.getMessage()).contains("scaledapi/sample-api:0.1.0");
        });
        await().atMost(WAIT)
                .until(() -> events("status").stream()
                        .anyMatch(e -> e.getReason().equals("ImageNotReady")
                                && e.getType().equals("Warning")));
    }

    @Test
    void anImageThatServesMetricsOnItsApiPortGetsOnePortAndItsProbesThere() {
        create("oneport", 1, 3, spec -> {
            spec.port = 9000;
            spec.metrics = new ScaledApiSpec.Metrics();
            spec.metrics.port = 9000;
        });
        Deployment deployment = await().atMost(WAIT).until(() -> deployment("oneport"), d -> d != null);
        var container =
                deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getPorts())
                .extracting(p -> p.getName(), p -> p.getContainerPort())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("http", 9000));
        assertThat(List.of(container.getLivenessProbe(), container.getReadinessProbe(), container.getStartupProbe()))
                .allSatisfy(probe ->
                        assertThat(probe.getHttpGet().getPort().getStrVal()).isEqualTo("http"));
        assertThat(container.getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(org.assertj.core.groups.Tuple.tuple("MANAGEMENT_SERVER_PORT", "9000"));
        assertThat(deployment.getSpec().getTemplate().getMetadata().getAnnotations())
                .containsEntry("prometheus.io/port", "9000");
    }

    @Test
    void aDisruptionBudgetExistsExactlyWhileMinIsAtLeastTwo() {
        ScaledApi api = create("pdb", 2, 4, spec -> {});
        PodDisruptionBudget pdb = await().atMost(WAIT)
                .until(
                        () -> client.resources(PodDisruptionBudget.class)
                                .inNamespace(namespace)
                                .withName("pdb")
                                .get(),
                        p -> p != null);
        assertOwnedBy(pdb.getMetadata().getOwnerReferences(), api);
        assertThat(pdb.getSpec().getMaxUnavailable().getIntVal()).isEqualTo(1);

        TestResources.editSpec(client, namespace, "pdb", spec -> {
            spec.replicas.min = 1;
        });
        await().atMost(WAIT)
                .until(() -> client.resources(PodDisruptionBudget.class)
                                .inNamespace(namespace)
                                .withName("pdb")
                                .get()
                        == null);
    }

    /** A user's objects under the names three ScaledApis would give theirs: a Deployment, a Service, a ConfigMap. */
    @Test
    void anObjectItDidNotCreateIsNeitherAdoptedNorChangedNorDeleted() {
        List<io.fabric8.kubernetes.api.model.HasMetadata> theirs = List.of(
                new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                        .withNewMetadata()
                        .withName("taken-deployment")
                        .endMetadata()
                        .withNewSpec()
                        .withNewSelector()
                        .addToMatchLabels("app", "theirs")
                        .endSelector()
                        .withNewTemplate()
                        .withNewMetadata()
                        .addToLabels("app", "theirs")
                        .endMetadata()
                        .withNewSpec()
                        .addNewContainer()
                        .withName("web")
                        .withImage("nginx:1.27")
                        .endContainer()
                        .endSpec()
                        .endTemplate()
                        .endSpec()
                        .build(),
                new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName("taken-service")
                        .endMetadata()
                        .withNewSpec()
                        .addToSelector("app", "theirs")
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build(),
                new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
                        .withNewMetadata()
                        .withName("taken-configmap-autoscaler")
                        .endMetadata()
                        .addToData("owner", "a user")
                        .build());
        for (var object : theirs) {
            var created = client.resource(object).inNamespace(namespace).create();
            String apiName = object.getMetadata().getName().replace("-autoscaler", "");
            create(apiName, 1, 3, spec -> {});

            await().atMost(WAIT).untilAsserted(() -> {
                Condition ready = condition(get(apiName), "Ready");
                assertThat(ready.getStatus()).isEqualTo("False");
                assertThat(ready.getReason()).isEqualTo(StatusReport.NAME_CONFLICT);
                assertThat(ready.getMessage())
                        .startsWith(object.getKind() + " " + namespace + "/"
                                + object.getMetadata().getName()
                                + " exists and is not controlled by this ScaledApi (it has no controller)");
            });
            await().atMost(WAIT)
                    .until(() -> events(apiName).stream()
                            .anyMatch(e -> e.getReason().equals(StatusReport.NAME_CONFLICT)
                                    && e.getType().equals("Warning")));
            if (!object.getKind().equals("Deployment")) {
                assertThat(deployment(apiName))
                        .as("nothing of this ScaledApi is created while a name is taken")
                        .isNull();
            }
            assertUntouched(created);

            client.resources(ScaledApi.class)
                    .inNamespace(namespace)
                    .withName(apiName)
                    .delete();
            await().atMost(WAIT).until(() -> get(apiName) == null);
            assertUntouched(created);
        }
    }

    /** The object is as its creator left it: same resource version, no owner. */
    private void assertUntouched(io.fabric8.kubernetes.api.model.HasMetadata created) {
        var now = client.resource(created).inNamespace(namespace).get();
        assertThat(now).as(created.getKind() + " still exists").isNotNull();
        assertThat(now.getMetadata().getResourceVersion())
                .as(created.getKind() + " unchanged")
                .isEqualTo(created.getMetadata().getResourceVersion());
        assertThat(now.getMetadata().getOwnerReferences()).isEmpty();
    }

    @Test
    void whenTheTakenNameIsFreedTheScaledApiProceeds() {
        client.resource(new io.fabric8.kubernetes.api.model.ServiceBuilder()
                        .withNewMetadata()
                        .withName("freed")
                        .endMetadata()
                        .withNewSpec()
                        .addNewPort()
                        .withPort(80)
                        .endPort()
                        .endSpec()
                        .build())
                .inNamespace(namespace)
                .create();
        create("freed", 1, 3, spec -> {});
        await().atMost(WAIT)
                .until(() -> StatusReport.NAME_CONFLICT.equals(
                        condition(get("freed"), "Ready").getReason()));
        assertThat(deployment("freed")).isNull();

        client.services().inNamespace(namespace).withName("freed").delete();
        await().atMost(WAIT).until(() -> deployment("freed"), d -> d != null);
        await().atMost(WAIT)
                .until(
                        () -> service("freed"),
                        s -> s != null && !s.getMetadata().getOwnerReferences().isEmpty());
    }

    @Test
    void aManagedSharedCacheIsARestrictedRedisThePodsAreToldAbout() {
        ScaledApi api = create("shared", 1, 4, spec -> {
            spec.cache.shared = new ScaledApiSpec.SharedCache();
            spec.cache.shared.managed = new ScaledApiSpec.ManagedRedis();
            spec.cache.shared.managed.maxMemory = "64Mi";
            spec.cache.warmKeys = 500;
        });
        Deployment redis = created(Deployment.class, "shared-redis");
        assertOwnedBy(redis.getMetadata().getOwnerReferences(), api);
        var container = redis.getSpec().getTemplate().getSpec().getContainers().get(0);
        assertThat(container.getArgs())
                .containsSubsequence("--maxmemory", Long.toString(64L << 20))
                .containsSubsequence("--maxmemory-policy", "allkeys-lru")
                .containsSubsequence("--save", "")
                .containsSubsequence("--appendonly", "no");
        assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
        assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
        assertThat(redis.getSpec().getTemplate().getSpec().getSecurityContext().getRunAsNonRoot())
                .isTrue();
        assertThat(redis.getSpec().getTemplate().getMetadata().getLabels())
                .as("kept out of the API's pod informer")
                .doesNotContainKey("app.kubernetes.io/managed-by");
        var service = created(Service.class, "shared-redis");
        assertThat(service.getSpec().getPorts().get(0).getPort()).isEqualTo(6379);

        // A password made once, owned, read by Redis as a config file and by the pods by reference.
        var secret = created(io.fabric8.kubernetes.api.model.Secret.class, "shared-redis-auth");
        assertOwnedBy(secret.getMetadata().getOwnerReferences(), api);
        java.util.function.Function<String, String> decoded = key -> new String(
                java.util.Base64.getDecoder().decode(secret.getData().get(key)),
                java.nio.charset.StandardCharsets.UTF_8);
        String password = decoded.apply("password");
        assertThat(password).hasSizeGreaterThanOrEqualTo(40);
        assertThat(decoded.apply("redis.conf")).isEqualTo("requirepass " + password + "\n");
        assertThat(container.getArgs()).startsWith("/etc/redis-auth/redis.conf").doesNotContain("--protected-mode");
        assertThat(redis.getSpec().getTemplate().getSpec().getVolumes())
                .filteredOn(v -> v.getSecret() != null)
                .singleElement()
                .satisfies(v -> assertThat(v.getSecret().getSecretName()).isEqualTo("shared-redis-auth"));
        var policy = created(io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy.class, "shared-redis");
        assertOwnedBy(policy.getMetadata().getOwnerReferences(), api);
        assertThat(policy.getSpec().getPodSelector().getMatchLabels())
                .isEqualTo(redis.getSpec().getSelector().getMatchLabels());
        assertThat(policy.getSpec().getIngress()).singleElement().satisfies(rule -> {
            assertThat(rule.getFrom())
                    .singleElement()
                    .satisfies(from -> assertThat(from.getPodSelector().getMatchLabels())
                            .isEqualTo(Map.of("scaledapi.io/name", "shared")));
            assertThat(rule.getPorts())
                    .singleElement()
                    .satisfies(port -> assertThat(port.getPort().getIntVal()).isEqualTo(6379));
        });

        Deployment apiDeployment = await().atMost(WAIT).until(() -> deployment("shared"), d -> d != null);
        assertThat(apiDeployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .filteredOn(e -> e.getName().equals("REDIS_PASSWORD"))
                .singleElement()
                .satisfies(e -> {
                    assertThat(e.getValue()).isNull();
                    assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("shared-redis-auth");
                    assertThat(e.getValueFrom().getSecretKeyRef().getKey()).isEqualTo("password");
                });
        // Reconciled again (a spec change), the password stays the one the running pods have.
        TestResources.editSpec(client, namespace, "shared", spec -> spec.cache.warmKeys = 400);
        await().atMost(WAIT)
                .until(() ->
                        deployment("shared").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                                .anyMatch(e -> e.getName().equals("CACHE_WARM_KEYS")
                                        && e.getValue().equals("400")));
        assertThat(client.secrets()
                        .inNamespace(namespace)
                        .withName("shared-redis-auth")
                        .get()
                        .getData())
                .isEqualTo(secret.getData());
        TestResources.editSpec(client, namespace, "shared", spec -> spec.cache.warmKeys = 500);
        assertThat(apiDeployment
                        .getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .extracting(EnvVar::getName, EnvVar::getValue)
                .contains(
                        org.assertj.core.groups.Tuple.tuple(
                                "REDIS_URL", "redis://shared-redis." + namespace + ".svc:6379"),
                        org.assertj.core.groups.Tuple.tuple("REDIS_KEY_PREFIX", namespace + "/shared:"),
                        org.assertj.core.groups.Tuple.tuple("CACHE_WARM_KEYS", "500"));

        TestResources.editSpec(client, namespace, "shared", spec -> {
            spec.cache.shared = null;
            spec.cache.warmKeys = 0;
        });
        await().atMost(WAIT)
                .until(() -> client.apps()
                                        .deployments()
                                        .inNamespace(namespace)
                                        .withName("shared-redis")
                                        .get()
                                == null
                        && client.services()
                                        .inNamespace(namespace)
                                        .withName("shared-redis")
                                        .get()
                                == null);
        await().atMost(WAIT)
                .until(() ->
                        deployment("shared").getSpec().getTemplate().getSpec().getContainers().get(0).getEnv().stream()
                                .noneMatch(e -> e.getName().equals("REDIS_URL")));
    }

    @Test
    void aUsersRedisFromSecretsIsPassedByReferenceAndTheirOwnReferenceIsKept() {
        create("byref", 1, 3, spec -> {
            spec.cache.shared = new ScaledApiSpec.SharedCache();
            spec.cache.shared.redis = new ScaledApiSpec.UserRedis();
            spec.cache.shared.redis.urlFrom = secretSource("redis-conn", "url");
            spec.cache.shared.redis.passwordFrom = secretSource("redis-conn", "password");
        });
        create("ownref", 1, 3, spec -> {
            spec.cache.shared = new ScaledApiSpec.SharedCache();
            spec.cache.shared.redis = new ScaledApiSpec.UserRedis();
            spec.cache.shared.redis.url = "redis://cache.example.svc:6379";
            spec.env = List.of(new io.fabric8.kubernetes.api.model.EnvVarBuilder()
                    .withName("REDIS_URL")
                    .withNewValueFrom()
                    .withNewSecretKeyRef("url", "theirs", false)
                    .endValueFrom()
                    .build());
        });

        var byref = await().atMost(WAIT).until(() -> deployment("byref"), d -> d != null);
        assertThat(byref.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .filteredOn(
                        e -> e.getName().startsWith("REDIS_URL") || e.getName().equals("REDIS_PASSWORD"))
                .extracting(
                        EnvVar::getName,
                        EnvVar::getValue,
                        e -> e.getValueFrom().getSecretKeyRef().getName() + "/"
                                + e.getValueFrom().getSecretKeyRef().getKey())
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple("REDIS_URL", null, "redis-conn/url"),
                        org.assertj.core.groups.Tuple.tuple("REDIS_PASSWORD", null, "redis-conn/password"));
        var ownref = await().atMost(WAIT).until(() -> deployment("ownref"), d -> d != null);
        assertThat(ownref.getSpec()
                        .getTemplate()
                        .getSpec()
                        .getContainers()
                        .get(0)
                        .getEnv())
                .filteredOn(e -> e.getName().equals("REDIS_URL"))
                .singleElement()
                .satisfies(e ->
                        assertThat(e.getValueFrom().getSecretKeyRef().getName()).isEqualTo("theirs"));
        assertThat(events("ownref")).noneMatch(e -> e.getReason().equals("EnvIgnored"));
    }

    private static ScaledApiSpec.SecretSource secretSource(String name, String key) {
        ScaledApiSpec.SecretSource source = new ScaledApiSpec.SecretSource();
        source.secretKeyRef = new ScaledApiSpec.SecretKeyRef();
        source.secretKeyRef.name = name;
        source.secretKeyRef.key = key;
        return source;
    }

    @Test
    void driftIsCorrectedButOthersFieldsAndTheReplicaCountAreLeftAlone() {
        create("drift", 1, 10, spec -> {});
        await().atMost(WAIT).until(() -> deployment("drift"), d -> d != null);

        TestResources.edit(client.apps().deployments().inNamespace(namespace).withName("drift"), d -> {
            d.getMetadata().getLabels().put("team", "payments");
            d.getSpec().setReplicas(3);
            d.getSpec().getTemplate().getSpec().getContainers().get(0).setImage("evil/image:latest");
            return d;
        });
        await().atMost(WAIT).untilAsserted(() -> {
            Deployment d = deployment("drift");
            assertThat(d.getSpec()
                            .getTemplate()
                            .getSpec()
                            .getContainers()
                            .get(0)
                            .getImage())
                    .isEqualTo("scaledapi/sample-api:0.1.0");
            assertThat(d.getMetadata().getLabels()).containsEntry("team", "payments");
            assertThat(d.getSpec().getReplicas())
                    .as("replicas are not reset to min")
                    .isEqualTo(3);
        });

        // A spec change reconciles again: replicas stay, the new max clamps them.
        TestResources.editSpec(client, namespace, "drift", spec -> {
            spec.replicas.max = 2;
        });
        await().atMost(WAIT)
                .untilAsserted(() ->
                        assertThat(deployment("drift").getSpec().getReplicas()).isEqualTo(2));

        Service before = service("drift");
        client.services().inNamespace(namespace).withName("drift").delete();
        await().atMost(WAIT).untilAsserted(() -> {
            Service after = service("drift");
            assertThat(after).isNotNull();
            assertThat(after.getMetadata().getUid())
                    .isNotEqualTo(before.getMetadata().getUid());
        });
    }

    @Test
    void anObjectTheApiServerRefusesIsReportedInStatusAndEvents() {
        create(
                "refused",
                1,
                3,
                spec -> spec.resources = new io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder()
                        .addToRequests("memory", new io.fabric8.kubernetes.api.model.Quantity("1Gi"))
                        .addToLimits("memory", new io.fabric8.kubernetes.api.model.Quantity("256Mi"))
                        .build());
        await().atMost(WAIT).untilAsserted(() -> {
            Condition ready = condition(get("refused"), "Ready");
            assertThat(ready.getStatus()).isEqualTo("False");
            assertThat(ready.getReason()).isEqualTo("ReconcileFailed");
            assertThat(ready.getMessage()).contains("must be less than or equal to memory limit");
        });
        await().atMost(WAIT)
                .until(() -> events("refused").stream()
                        .anyMatch(e -> e.getReason().equals("ReconcileFailed")
                                && e.getType().equals("Warning")));

        TestResources.editSpec(client, namespace, "refused", spec -> {
            spec.resources = null;
        });
        await().atMost(WAIT).until(() -> deployment("refused"), d -> d != null);
        await().atMost(WAIT)
                .until(() -> !"ReconcileFailed"
                        .equals(condition(get("refused"), "Ready").getReason()));
    }

    @Test
    void pausedIsReported() {
        create("paused", 1, 3, spec -> spec.paused = true);
        await().atMost(WAIT).untilAsserted(() -> {
            ScaledApi api = get("paused");
            assertThat(api.getStatus().mode).isEqualTo("Paused");
            assertThat(condition(api, "ScalingActive"))
                    .extracting(Condition::getStatus, Condition::getReason)
                    .containsExactly("False", "Paused");
        });
    }

    @Test
    void aPodStartsWithItsCpuLimitRaisedIsResizedOnceReadyAndBoostedAgainAfterARestart() {
        var template = createdTemplate("boosted", resources("100m", "64Mi"));
        // The default boost, 100 %: 200m starts at 400m; the request (what the scheduler reserves) stays.
        assertThat(cpuLimit(template)).isEqualTo(new Quantity("400m"));
        assertThat(template.getSpec()
                        .getContainers()
                        .get(0)
                        .getResources()
                        .getRequests()
                        .get("cpu"))
                .isEqualTo(new Quantity("100m"));
        assertThat(template.getMetadata().getAnnotations()).containsEntry(StartupBoost.STEADY_CPU_LIMIT, "200m");

        // A pod as the ReplicaSet would create it, reported by a kubelet: starting, then ready.
        Pod pod = TestResources.podFromTemplate(client, namespace, "boosted-pod", template);
        podStatus(pod, false, 0);
        podStatus(pod, true, 0);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(cpuLimit("boosted-pod")).isEqualTo("200m"));

        // The container restarted and is not ready: boosted again, then back down once ready.
        podStatus(pod, false, 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(cpuLimit("boosted-pod")).isEqualTo("400m"));
        podStatus(pod, true, 1);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(cpuLimit("boosted-pod")).isEqualTo("200m"));
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(condition(get("boosted"), StatusReport.STARTUP_BOOSTED))
                        .extracting(Condition::getStatus, Condition::getReason)
                        .containsExactly("True", "Boosted"));
    }

    @Test
    void podsWhoseResourcesMakeThemGuaranteedStartUnboostedAndStatusSaysWhy() {
        var template = createdTemplate("guaranteed", resources(null, null));
        assertThat(cpuLimit(template)).isEqualTo(new Quantity("200m"));
        assertThat(template.getMetadata().getAnnotations()).doesNotContainKey(StartupBoost.STEADY_CPU_LIMIT);
        await().atMost(WAIT)
                .untilAsserted(() -> assertThat(condition(get("guaranteed"), StatusReport.STARTUP_BOOSTED))
                        .satisfies(c -> {
                            assertThat(c.getStatus()).isEqualTo("False");
                            assertThat(c.getReason()).isEqualTo("NotBoostable");
                            assertThat(c.getMessage()).contains("Guaranteed");
                        }));
    }

    /** Limits of 200m CPU and 128Mi memory, with these requests (none when null: then they default to the limits). */
    private static ResourceRequirements resources(String cpuRequest, String memoryRequest) {
        ResourceRequirementsBuilder b = new ResourceRequirementsBuilder()
                .addToLimits("cpu", new Quantity("200m"))
                .addToLimits("memory", new Quantity("128Mi"));
        if (cpuRequest != null) {
            b.addToRequests("cpu", new Quantity(cpuRequest)).addToRequests("memory", new Quantity(memoryRequest));
        }
        return b.build();
    }

    /** Creates a ScaledApi with these resources; returns its Deployment's pod template once there is one. */
    private PodTemplateSpec createdTemplate(String name, ResourceRequirements resources) {
        create(name, 1, 3, spec -> spec.resources = resources);
        return await().atMost(WAIT)
                .until(() -> deployment(name), d -> d != null)
                .getSpec()
                .getTemplate();
    }

    private static Quantity cpuLimit(PodTemplateSpec template) {
        return template.getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits()
                .get("cpu");
    }

    private void podStatus(Pod pod, boolean ready, int restarts) {
        TestResources.reportPodStatus(client, pod, ready, restarts);
    }

    private String cpuLimit(String pod) {
        return client.pods()
                .inNamespace(namespace)
                .withName(pod)
                .get()
                .getSpec()
                .getContainers()
                .get(0)
                .getResources()
                .getLimits()
                .get("cpu")
                .toString();
    }

    // --- helpers

    /** The object once it exists. */
    <T extends io.fabric8.kubernetes.api.model.HasMetadata> T created(Class<T> type, String name) {
        return await().atMost(WAIT)
                .until(
                        () -> client.resources(type)
                                .inNamespace(namespace)
                                .withName(name)
                                .get(),
                        o -> o != null);
    }

    ScaledApi create(String name, int min, int max, java.util.function.Consumer<ScaledApiSpec> customize) {
        ScaledApi api = TestResources.minimal(name, min, max);
        customize.accept(api.getSpec());
        return client.resource(api).inNamespace(namespace).create();
    }

    ScaledApi get(String name) {
        return client.resources(ScaledApi.class)
                .inNamespace(namespace)
                .withName(name)
                .get();
    }

    Deployment deployment(String name) {
        return client.apps().deployments().inNamespace(namespace).withName(name).get();
    }

    Service service(String name) {
        return client.services().inNamespace(namespace).withName(name).get();
    }

    List<Event> events(String name) {
        return client.v1().events().inNamespace(namespace).list().getItems().stream()
                .filter(e -> name.equals(e.getInvolvedObject().getName()))
                .toList();
    }

    static Condition condition(ScaledApi api, String type) {
        return StatusReport.find(api.getStatus(), type).orElseThrow(() -> new AssertionError("no condition " + type));
    }

    void writeDeploymentStatus(String name, int replicas, int ready, String progressingFailure) {
        Deployment d = deployment(name);
        var status = new DeploymentStatusBuilder()
                .withReplicas(replicas)
                .withReadyReplicas(ready)
                .withAvailableReplicas(ready)
                .withObservedGeneration(d.getMetadata().getGeneration());
        if (progressingFailure != null) {
            status.withConditions(new DeploymentConditionBuilder()
                    .withType("Progressing")
                    .withStatus("False")
                    .withReason(progressingFailure)
                    .withMessage("ReplicaSet has timed out progressing.")
                    .build());
        }
        d.setStatus(status.build());
        client.apps().deployments().inNamespace(namespace).resource(d).updateStatus();
    }

    static void assertOwnedBy(List<OwnerReference> owners, ScaledApi api) {
        assertThat(owners).singleElement().satisfies(o -> {
            assertThat(o.getKind()).isEqualTo("ScaledApi");
            assertThat(o.getName()).isEqualTo(api.getMetadata().getName());
            assertThat(o.getUid()).isEqualTo(api.getMetadata().getUid());
            assertThat(o.getController()).as("controller").isTrue();
            assertThat(o.getBlockOwnerDeletion()).as("blockOwnerDeletion").isTrue();
        });
    }
}
