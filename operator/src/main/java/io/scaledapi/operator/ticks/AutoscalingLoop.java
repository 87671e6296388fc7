package io.scaledapi.operator.ticks;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scaledapi.autoscaler.Autoscaler;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.PodSnapshot;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.metrics.PodCountersReader;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.metrics.PodTarget;
import io.scaledapi.operator.owned.NameConflicts;
import io.scaledapi.operator.owned.OwnedPods;
import io.scaledapi.operator.status.ReportedRates;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs each ScaledApi's autoscaler on a schedule of its own: a tick every {@code scaling.interval}, at a random
 * phase, so that a thousand resources do not tick at once. A tick takes the resource's pods from the informer's
 * cache, scrapes the ready ones and decides when the scrape completes, on this loop's threads; no reconcile waits
 * for it. Each tick publishes one immutable {@link ScalingResult}; the reconciler is woken only when it has a
 * replica count to apply or something new for status to show, reads the result once ({@link #track}) and reports
 * back once ({@link #reconciled}).
 */
public final class AutoscalingLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoscalingLoop.class);

    /** How a tick scrapes a resource's pods: {@link PodScraper#scrape(String, List, PodCountersReader)}. */
    @FunctionalInterface
    public interface Scrape {
        CompletableFuture<Map<String, PodScraper.Result>> scrape(
                String owner, List<PodTarget> pods, PodCountersReader reader);
    }

    /** One resource's loop. Ticks of one resource never overlap ({@code busy}), so its autoscaler has one user. */
    private final class Entry {
        final ResourceID id;
        final String name;
        final CompletableFuture<Autoscaler> autoscaler;
        final AtomicBoolean busy = new AtomicBoolean();
        final ResourceMeters meters;
        final ResourceCheckpoints checkpoints;
        /** The Deployment's replicas as the last reconcile left them; null while there is no Deployment. */
        volatile Integer replicas;
        /** The uid of the Deployment the ScaledApi controls, as the last reconcile saw it; null while unknown. */
        volatile String deploymentUid;
        /** Replaced whole, under the entry's lock. */
        volatile ScalingResult result;

        long policyGeneration = Long.MIN_VALUE;
        long intervalMillis;
        long dueAt;
        ScheduledFuture<?> schedule;

        Entry(ScaledApi api) {
            id = ResourceID.fromResource(api);
            name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
            meters = new ResourceMeters(
                    registry,
                    api.getMetadata().getNamespace(),
                    api.getMetadata().getName());
            result = ScalingResult.none(ReportedRates.of(api.getStatus()));
            checkpoints = new ResourceCheckpoints(name, checkpointStore, io, clock);
            autoscaler = CompletableFuture.supplyAsync(() -> checkpoints.restore(api), io)
                    .thenApply(state -> new Autoscaler(name, api.getSpec().scalingPolicy(), clock, state));
        }
    }

    private final Clock clock;
    private final Scrape scrape;
    private final CheckpointStore checkpointStore;
    private final ScheduledExecutorService ticks;
    /** Checkpoint reads and writes: blocking API calls, kept off the tick threads. */
    private final ExecutorService io;

    private final Map<ResourceID, Entry> entries = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer lateness;
    private final Counter skipped;
    private volatile Function<ResourceID, Optional<ScaledApi>> resources = id -> Optional.empty();
    private volatile Function<ScaledApi, Set<Pod>> podsOf = api -> Set.of();
    private volatile Function<ScaledApi, Set<ReplicaSet>> replicaSetsOf = api -> Set.of();
    private volatile Consumer<ResourceID> wake = id -> {};

    public AutoscalingLoop(Clock clock, Scrape scrape, CheckpointStore checkpoints, MeterRegistry registry) {
        this.clock = clock;
        this.scrape = scrape;
        this.checkpointStore = checkpoints;
        this.registry = registry;
        this.ticks = Executors.newScheduledThreadPool(2, daemon("autoscaler-tick"));
        this.io = Executors.newFixedThreadPool(4, daemon("autoscaler-checkpoint"));
        this.lateness = Timer.builder("scaledapi.tick.lateness")
                .description("How late a ScaledApi's tick started against its schedule")
                .serviceLevelObjectives(
                        ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000), ms(2500), ms(5000))
                .register(registry);
        this.skipped = Counter.builder("scaledapi.tick.skipped")
                .description("Ticks not run because the resource's previous tick had not finished")
                .register(registry);
        registry.gauge("scaledapi.tick.resources", entries, Map::size);
    }

    /** Where ticks find the resources and their pods, and how they wake the reconciler (known once event sources are). */
    public void bind(
            Function<ResourceID, Optional<ScaledApi>> resources,
            Function<ScaledApi, Set<Pod>> podsOf,
            Function<ScaledApi, Set<ReplicaSet>> replicaSetsOf,
            Consumer<ResourceID> wake) {
        this.resources = resources;
        this.podsOf = podsOf;
        this.replicaSetsOf = replicaSetsOf;
        this.wake = wake;
    }

    /**
     * Called once by every reconcile: starts the resource's ticks if they have not started, follows a changed
     * interval, notes the Deployment's replicas, and returns the latest result. Never blocks.
     */
    public ScalingResult track(ScaledApi api, Deployment deployment) {
        Entry e = entries.computeIfAbsent(ResourceID.fromResource(api), id -> new Entry(api));
        e.replicas = deployment == null ? null : deployment.getSpec().getReplicas();
        e.deploymentUid = deployment != null && NameConflicts.controlledBy(deployment, api)
                ? deployment.getMetadata().getUid()
                : null;
        long interval = api.getSpec().scalingPolicy().interval().toMillis();
        synchronized (e) {
            if (e.intervalMillis != interval) {
                if (e.schedule != null) {
                    e.schedule.cancel(false);
                }
                long delay = ThreadLocalRandom.current().nextLong(Math.max(1, interval));
                e.intervalMillis = interval;
                e.dueAt = clock.millis() + delay;
                e.schedule = ticks.scheduleAtFixedRate(() -> tick(e), delay, interval, TimeUnit.MILLISECONDS);
            }
            return e.result;
        }
    }

    /** The reconcile's one report: what it applied, what it showed, and whether it wrote status. */
    public void reconciled(ResourceID id, Reconciled outcome) {
        Entry e = entries.get(id);
        if (e == null) {
            return;
        }
        e.replicas = outcome.deploymentReplicas();
        synchronized (e) {
            ScalingResult r = e.result;
            if (outcome.applied() != null && r.decision() == outcome.applied()) {
                r = r.applied();
            }
            if (outcome.statusWritten()) {
                r = r.withStatusWritableAt(clock.millis() + e.intervalMillis);
            }
            e.result = r;
        }
        if (outcome.applied() != null) {
            e.checkpoints.saveSoon();
        }
        if (outcome.change() != null && outcome.change().applied()) {
            e.meters.scaled(outcome.change().up());
        }
        e.meters.shown(outcome.status(), outcome.updateMode());
    }

    /** Runs one tick of the resource now, as its schedule does (for tests). */
    void tickNow(ResourceID id) {
        Entry e = entries.get(id);
        if (e != null) {
            tick(e);
        }
    }

    /** One scheduled run. It must not throw: a periodic task that throws is never run again. */
    private void tick(Entry e) {
        try {
            startTick(e);
        } catch (RuntimeException ex) {
            e.busy.set(false);
            log.warn("{} tick failed: {}", e.name, ex.toString());
        }
    }

    private void startTick(Entry e) {
        lateness.record(Math.max(0, clock.millis() - e.dueAt), TimeUnit.MILLISECONDS);
        e.dueAt += e.intervalMillis;
        Optional<ScaledApi> found = resources.apply(e.id);
        if (found.isEmpty()) {
            forget(e);
            return;
        }
        Autoscaler autoscaler = e.autoscaler.getNow(null);
        if (autoscaler == null || e.replicas == null) {
            return; // restoring its checkpoint, or no Deployment yet
        }
        if (!e.busy.compareAndSet(false, true)) {
            skipped.increment();
            log.debug("{} tick skipped: the last one has not finished", e.name);
            return;
        }
        ScaledApi api = found.get();
        if (api.getMetadata().getGeneration() != null && api.getMetadata().getGeneration() != e.policyGeneration) {
            autoscaler.updatePolicy(api.getSpec().scalingPolicy());
            e.policyGeneration = api.getMetadata().getGeneration();
        }
        observe(e, api)
                .whenCompleteAsync(
                        (snapshots, failure) -> {
                            try {
                                if (failure != null) {
                                    log.warn("{} tick failed: {}", e.name, failure.toString());
                                } else {
                                    decide(e, api, autoscaler, snapshots);
                                }
                            } catch (RuntimeException ex) {
                                log.warn("{} decision failed: {}", e.name, ex.toString());
                            } finally {
                                e.busy.set(false);
                            }
                        },
                        ticks);
    }

    private CompletableFuture<List<PodSnapshot>> observe(Entry e, ScaledApi api) {
        ScrapeTargets pods =
                ScrapeTargets.of(api, OwnedPods.of(podsOf.apply(api), replicaSetsOf.apply(api), e.deploymentUid));
        if (pods.targets().isEmpty()) {
            return CompletableFuture.completedFuture(pods.withoutScrape());
        }
        return scrape.scrape(
                        e.name,
                        pods.targets(),
                        new PodCountersReader(api.getSpec().requestCounter()))
                .thenApply(results -> pods.snapshots(results, e.meters::scrapeFailed));
    }

    private void decide(Entry e, ScaledApi api, Autoscaler autoscaler, List<PodSnapshot> snapshots) {
        Integer replicas = e.replicas;
        if (replicas == null) {
            return;
        }
        // Paused or Recommend: decided and reported as usual, but not applied, so not a scale event either.
        boolean applies =
                !Boolean.TRUE.equals(api.getSpec().paused) && !api.getSpec().recommendOnly();
        long started = System.nanoTime();
        Decision decision = autoscaler.decide(snapshots, replicas, applies);
        e.meters.decided(decision, System.nanoTime() - started, autoscaler.measuredStartup());
        boolean apply = applies && decision.replicas() != replicas;
        ScalingResult previous;
        ScalingResult next;
        synchronized (e) {
            previous = e.result;
            next = new ScalingResult(decision, previous.rates().next(decision), apply, previous.statusWritableAt());
            e.result = next;
        }
        log.debug("{} tick: {}", e.name, decision.reason());
        if (apply || !previous.ticked() || !next.shown().equals(previous.shown())) {
            wake.accept(e.id);
        }
        e.checkpoints.afterTick(api, autoscaler.state(), () -> entries.containsKey(e.id));
    }

    private void forget(Entry e) {
        synchronized (e) {
            if (e.schedule != null) {
                e.schedule.cancel(false);
            }
        }
        // Atomic with track()'s computeIfAbsent: a resource created again under the same name gets new series, never
        // the old ones (Micrometer hands back a meter still registered under the same name and labels).
        entries.computeIfPresent(e.id, (id, current) -> {
            if (current != e) {
                return current;
            }
            e.meters.close();
            return null;
        });
        log.debug("{} is gone: its ticks stop", e.name);
    }

    private static Duration ms(long millis) {
        return Duration.ofMillis(millis);
    }

    private static ThreadFactory daemon(String name) {
        return runnable -> {
            Thread thread = new Thread(runnable, name);
            thread.setDaemon(true);
            return thread;
        };
    }

    @Override
    public void close() {
        ticks.shutdownNow();
        io.shutdown();
    }
}
