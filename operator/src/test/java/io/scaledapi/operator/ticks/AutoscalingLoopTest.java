package io.scaledapi.operator.ticks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.scaledapi.autoscaler.AutoscalerState;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.PodCounters;
import io.scaledapi.operator.TestResources;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.status.ScaleChange;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.InstantSource;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The tick loop alone: a fake scrape answers from counters the test sets, the time is the test's, and ticks run when
 * the test says. What crosses to the reconciler is one {@link ScalingResult} per tick and one {@link Reconciled} back.
 */
class AutoscalingLoopTest {

    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final AtomicReference<Instant> now = new AtomicReference<>(T0);
    final Clock clock = ((InstantSource) now::get).withZone(ZoneOffset.UTC);
    /** Each pod's request counter, as the fake scrape reports it. */
    final Map<String, Double> requests = new ConcurrentHashMap<>();
    /** Every pod a scrape was asked for. */
    final Set<String> scraped = ConcurrentHashMap.newKeySet();

    final List<ResourceID> woken = new CopyOnWriteArrayList<>();
    final Map<String, String> saved = new ConcurrentHashMap<>();
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    final AtomicReference<ScaledApi> resource = new AtomicReference<>();
    AutoscalingLoop loop;
    ScaledApi api;
    ResourceID id;

    @BeforeEach
    void startLoop() {
        AutoscalingLoop.Scrape scrape = (owner, pods, reader) -> {
            Map<String, PodScraper.Result> results = new ConcurrentHashMap<>();
            pods.forEach(p -> scraped.add(p.name()));
            pods.forEach(p -> results.put(
                    p.name(),
                    new PodScraper.Result(
                            new PodCounters(requests.getOrDefault(p.name(), 0.0), 0, 0, 0, 0), null, null)));
            return CompletableFuture.completedFuture(results);
        };
        CheckpointStore store = new CheckpointStore() {
            @Override
            public Optional<AutoscalerState> load(ScaledApi api) {
                return Optional.empty();
            }

            @Override
            public void save(ScaledApi api, String checkpoint) {
                saved.put(api.getMetadata().getName(), checkpoint);
            }
        };
        loop = new AutoscalingLoop(clock, scrape, store, registry);
        api = TestResources.minimal("shop", 1, 10);
        api.getMetadata().setNamespace("team-a");
        api.getMetadata().setGeneration(1L);
        api.getSpec().scaling.targetRequestsPerSecond = 100.0;
        api.getSpec().scaling.interval = "5m"; // the schedule never fires within a test: the test ticks
        resource.set(api);
        id = ResourceID.fromResource(api);
        api.getMetadata().setUid("api-uid");
        loop.bind(
                rid -> Optional.ofNullable(resource.get()),
                a -> Set.of(readyPod("shop-1", "rs-uid"), readyPod("not-shops", null)),
                a -> Set.of(replicaSet("rs-uid", "deployment-uid")),
                woken::add);
    }

    @AfterEach
    void stopLoop() {
        loop.close();
    }

    @Test
    void aDecisionThatChangesReplicasIsPublishedOnceAndClearedByTheReportBack() {
        assertThat(loop.track(api, deployment(1)).ticked())
                .as("before the first tick")
                .isFalse();
        tickAndAwait(1);
        assertThat(loop.track(api, deployment(1)).toApply())
                .as("a first scrape gives no rate")
                .isEmpty();

        requests.put("shop-1", 500.0);
        now.set(T0.plusSeconds(2));
        tickAndAwait(2);
        ScalingResult result = loop.track(api, deployment(1));
        assertThat(scraped)
                .as("only the pod of the Deployment's ReplicaSet; one with the labels alone is not the resource's")
                .containsExactly("shop-1");
        assertThat(result.toApply()).map(Decision::replicas).contains(3);
        assertThat(result.rates().stable()).isEqualTo(250.0);

        loop.reconciled(
                id,
                new Reconciled(
                        3,
                        result.decision(),
                        ScaleChange.scaled(1, result.decision()),
                        new ScaledApiStatus(),
                        ScaledApiSpec.UpdateMode.Auto,
                        true));
        ScalingResult after = loop.track(api, deployment(3));
        assertThat(after.toApply()).as("applied: nothing left to apply").isEmpty();
        assertThat(after.decision()).isSameAs(result.decision());
        assertThat(after.statusWritableAt())
                .as("status once per tick")
                .isEqualTo(clock.millis() + Duration.ofMinutes(5).toMillis());
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            loop.tickNow(id); // a scale makes the next tick save a checkpoint
            return saved.containsKey("shop");
        });
    }

    @Test
    void aPausedResourceIsDecidedAndReportedButNothingIsToApply() {
        api.getSpec().paused = true;
        loop.track(api, deployment(1));
        tickAndAwait(1);
        requests.put("shop-1", 500.0);
        now.set(T0.plusSeconds(2));
        tickAndAwait(2);
        ScalingResult result = loop.track(api, deployment(1));
        assertThat(result.decision().replicas()).isEqualTo(3);
        assertThat(result.toApply()).isEmpty();
    }

    @Test
    void aResourceThatIsGoneStopsTickingAndItsSeriesLeave() {
        loop.track(api, deployment(1));
        tickAndAwait(1);
        assertThat(registry.find("scaledapi.replicas").tag("name", "shop").gauges())
                .isNotEmpty();
        resource.set(null);
        loop.tickNow(id);
        assertThat(registry.find("scaledapi.replicas").tag("name", "shop").gauges())
                .isEmpty();
        int wakes = woken.size();
        loop.tickNow(id);
        assertThat(woken).hasSize(wakes);
    }

    /** Ticks until the reconciler has been woken {@code wakes} times (the first tick waits for the checkpoint read). */
    private void tickAndAwait(int wakes) {
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            if (woken.size() < wakes) {
                loop.tickNow(id);
            }
            return woken.size() >= wakes;
        });
    }

    /** The ScaledApi's Deployment as the reconciler passes it: controlled by the ScaledApi. */
    private Deployment deployment(int replicas) {
        return new io.fabric8.kubernetes.api.model.apps.DeploymentBuilder()
                .withNewMetadata()
                .withName("shop")
                .withUid("deployment-uid")
                .withOwnerReferences(io.scaledapi.operator.owned.OwnedObjects.controllerReference(api, true))
                .endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .endSpec()
                .build();
    }

    private static ReplicaSet replicaSet(String uid, String deploymentUid) {
        return new io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder()
                .withNewMetadata()
                .withName("shop-abc")
                .withUid(uid)
                .addNewOwnerReference()
                .withKind("Deployment")
                .withName("shop")
                .withUid(deploymentUid)
                .withController(true)
                .endOwnerReference()
                .endMetadata()
                .build();
    }

    /** A ready pod, controlled by the ReplicaSet {@code replicaSetUid} (none when null). */
    private static Pod readyPod(String name, String replicaSetUid) {
        return new PodBuilder()
                .withNewMetadata()
                .withName(name)
                .withNamespace("team-a")
                .withOwnerReferences(
                        replicaSetUid == null
                                ? List.of()
                                : List.of(new io.fabric8.kubernetes.api.model.OwnerReferenceBuilder()
                                        .withKind("ReplicaSet")
                                        .withName("shop-abc")
                                        .withUid(replicaSetUid)
                                        .withController(true)
                                        .build()))
                .withCreationTimestamp(T0.minusSeconds(60).toString())
                .endMetadata()
                .withNewSpec()
                .addNewContainer()
                .withName("api")
                .endContainer()
                .endSpec()
                .withNewStatus()
                .withPodIP("127.0.0.1")
                .withStartTime(T0.minusSeconds(60).toString())
                .addNewCondition()
                .withType("Ready")
                .withStatus("True")
                .withLastTransitionTime(T0.minusSeconds(30).toString())
                .endCondition()
                .endStatus()
                .build();
    }
}
