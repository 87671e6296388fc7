package io.scaledapi.operator.reconcile;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
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
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodCondition;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.autoscaler.Autoscaler;
import io.scaledapi.autoscaler.Checkpoint;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.autoscaler.Limit;
import io.scaledapi.autoscaler.PodSnapshot;
import io.scaledapi.operator.metrics.PodCountersReader;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.metrics.PodTarget;
import io.scaledapi.operator.metrics.ScrapeFailure;

/**
 * Runs each ScaledApi's autoscaler on a schedule of its own: a tick every {@code scaling.interval}, at a random
 * phase, so that a thousand resources do not tick at once. A tick takes the resource's pods from the informer's
 * cache and scrapes the ready ones; the decision is made when the scrape completes, on this loop's threads, and no
 * reconcile ever waits for it. The reconciler is woken only when there is a new replica count to apply or something
 * new for status to show. The autoscaler's memory stays in the process, checkpointed on scale events and every
 * {@link #CHECKPOINT_MILLIS}, and read back when a process first meets a resource.
 */
final class AutoscalingLoop implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AutoscalingLoop.class);
    static final long CHECKPOINT_MILLIS = 30_000;

    /** The autoscaler's latest word on a resource, and the figures status shows with it. */
    record Tick(Decision decision, ReportedRates rates) {

        /** What status shows of this tick: when it changes, status is written. */
        private Object shown() {
            return List.of(decision.replicas(), decision.mode(), decision.metricsAvailable(),
                    Optional.ofNullable(decision.metricsProblem()).orElse(""),
                    Optional.ofNullable(decision.limit()).map(Limit::name).orElse(""), rates);
        }
    }

    /** One resource's loop. Ticks of one resource never overlap ({@code busy}), so its autoscaler has one user. */
    private final class Entry {
        final ResourceID id;
        final String name;
        final CompletableFuture<Autoscaler> autoscaler;
        final AtomicBoolean busy = new AtomicBoolean();
        final ResourceMeters meters;
        /** The Deployment's replicas as the last reconcile saw them; null while there is no Deployment. */
        volatile Integer replicas;
        volatile Tick latest;
        volatile ReportedRates shownRates;
        /** A decision that changes replicas, until a reconcile applies it. */
        volatile Decision unapplied;
        volatile boolean checkpointSoon;
        /** The checkpoint waiting to be saved: a newer one replaces it, so a slow API server queues one per resource. */
        final AtomicReference<String> unsaved = new AtomicReference<>();
        /** Whether the last checkpoint failed: a failing API server is logged once, not per checkpoint. */
        volatile boolean checkpointFailing;
        volatile long lastStatusWrite;
        long policyGeneration = Long.MIN_VALUE;
        long intervalMillis;
        long dueAt;
        long checkpointAt;
        ScheduledFuture<?> schedule;

        Entry(ScaledApi api) {
            id = ResourceID.fromResource(api);
            name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
            meters = new ResourceMeters(registry, api.getMetadata().getNamespace(), api.getMetadata().getName());
            shownRates = ReportedRates.of(api.getStatus());
            checkpointAt = clock.millis() + jitter(CHECKPOINT_MILLIS);
            autoscaler = CompletableFuture.supplyAsync(() -> restore(api), io)
                    .thenApply(state -> new Autoscaler(name, ScalingPolicies.from(api.getSpec()), clock, state));
        }
    }

    private final Clock clock;
    private final PodScraper scraper;
    private final CheckpointStore checkpoints;
    private final ScheduledExecutorService ticks;
    /** Checkpoint reads and writes: blocking API calls, kept off the tick threads. */
    private final ExecutorService io;
    private final Map<ResourceID, Entry> entries = new ConcurrentHashMap<>();
    private final MeterRegistry registry;
    private final Timer lateness;
    private final Counter skipped;
    private volatile Function<ResourceID, Optional<ScaledApi>> resources = id -> Optional.empty();
    private volatile Function<ScaledApi, Set<Pod>> podsOf = api -> Set.of();
    private volatile Consumer<ResourceID> wake = id -> { };

    AutoscalingLoop(Clock clock, PodScraper scraper, CheckpointStore checkpoints, MeterRegistry registry) {
        this.clock = clock;
        this.scraper = scraper;
        this.checkpoints = checkpoints;
        this.registry = registry;
        this.ticks = Executors.newScheduledThreadPool(2, daemon("autoscaler-tick"));
        this.io = Executors.newFixedThreadPool(4, daemon("autoscaler-checkpoint"));
        this.lateness = Timer.builder("scaledapi.tick.lateness")
                .description("How late a ScaledApi's tick started against its schedule")
                .serviceLevelObjectives(ms(1), ms(5), ms(10), ms(25), ms(50), ms(100), ms(250), ms(500), ms(1000),
                        ms(2500), ms(5000))
                .register(registry);
        this.skipped = Counter.builder("scaledapi.tick.skipped")
                .description("Ticks not run because the resource's previous tick had not finished").register(registry);
        registry.gauge("scaledapi.tick.resources", entries, Map::size);
    }

    /** Where ticks find the resources and their pods, and how they wake the reconciler (known once event sources are). */
    void bind(Function<ResourceID, Optional<ScaledApi>> resources, Function<ScaledApi, Set<Pod>> podsOf,
            Consumer<ResourceID> wake) {
        this.resources = resources;
        this.podsOf = podsOf;
        this.wake = wake;
    }

    /**
     * Called by every reconcile: starts the resource's ticks if they have not started, follows a changed interval,
     * and notes the Deployment's replicas. Never blocks. Returns the latest tick, or null before the first.
     */
    Tick track(ScaledApi api, Integer deploymentReplicas) {
        Entry e = entries.computeIfAbsent(ResourceID.fromResource(api), id -> new Entry(api));
        e.replicas = deploymentReplicas;
        long interval = ScalingPolicies.from(api.getSpec()).interval().toMillis();
        synchronized (e) {
            if (e.intervalMillis != interval) {
                if (e.schedule != null) {
                    e.schedule.cancel(false);
                }
                long delay = jitter(interval);
                e.intervalMillis = interval;
                e.dueAt = clock.millis() + delay;
                e.schedule = ticks.scheduleAtFixedRate(() -> tick(e), delay, interval, TimeUnit.MILLISECONDS);
            }
        }
        return e.latest;
    }

    /** The decision a reconcile should apply, if any. */
    Optional<Decision> unapplied(ResourceID id) {
        Entry e = entries.get(id);
        return e == null ? Optional.empty() : Optional.ofNullable(e.unapplied);
    }

    /** A reconcile applied the decision: the Deployment now has its replicas, and a checkpoint is due. */
    void applied(ResourceID id, Decision decision) {
        Entry e = entries.get(id);
        if (e != null) {
            e.replicas = decision.replicas();
            e.checkpointSoon = true;
            synchronized (e) {
                if (e.unapplied == decision) {
                    e.unapplied = null;
                }
            }
        }
    }

    /** What status now shows (replicas, mode), for the resource's metrics. */
    void shown(ResourceID id, ScaledApiStatus status, ScaledApiSpec.ScalingMode scalingMode) {
        Entry e = entries.get(id);
        if (e != null) {
            e.meters.shown(status, scalingMode);
        }
    }

    /** A reconcile changed the Deployment's replicas. */
    void scaled(ResourceID id, boolean up) {
        Entry e = entries.get(id);
        if (e != null) {
            e.meters.scaled(up);
        }
    }

    /** Millis until status may be written again: at most once per tick, unless {@code urgent}. 0 means now. */
    long statusWriteDelay(ResourceID id, boolean urgent) {
        Entry e = entries.get(id);
        if (e == null || urgent) {
            return 0;
        }
        return Math.max(0, e.lastStatusWrite + e.intervalMillis - clock.millis());
    }

    void statusWritten(ResourceID id) {
        Entry e = entries.get(id);
        if (e != null) {
            e.lastStatusWrite = clock.millis();
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
        long now = clock.millis();
        lateness.record(Math.max(0, now - e.dueAt), TimeUnit.MILLISECONDS);
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
            autoscaler.updatePolicy(ScalingPolicies.from(api.getSpec()));
            e.policyGeneration = api.getMetadata().getGeneration();
        }
        observe(api, podsOf.apply(api), e.meters).whenCompleteAsync((snapshots, failure) -> {
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
        }, ticks);
    }

    private void decide(Entry e, ScaledApi api, Autoscaler autoscaler, List<PodSnapshot> snapshots) {
        Integer replicas = e.replicas;
        if (replicas == null) {
            return;
        }
        // Paused or Recommend: decided and reported as usual, but not applied, so not a scale event either.
        boolean applies = !Boolean.TRUE.equals(api.getSpec().paused) && !ScalingPolicies.recommendOnly(api.getSpec());
        long started = System.nanoTime();
        Decision decision = autoscaler.decide(snapshots, replicas, applies);
        e.meters.decided(decision, System.nanoTime() - started, autoscaler.measuredStartup());
        Tick previous = e.latest;
        ReportedRates rates = e.shownRates.next(decision);
        e.shownRates = rates;
        Tick tick = new Tick(decision, rates);
        e.latest = tick;
        boolean apply = applies && decision.replicas() != replicas;
        synchronized (e) {
            e.unapplied = apply ? decision : null;
        }
        log.debug("{} tick: {}", e.name, decision.reason());
        if (apply || previous == null || !tick.shown().equals(previous.shown())) {
            wake.accept(e.id);
        }
        long now = clock.millis();
        if (e.checkpointSoon || now >= e.checkpointAt) {
            e.checkpointSoon = false;
            e.checkpointAt = now + CHECKPOINT_MILLIS;
            if (e.unsaved.getAndSet(Checkpoint.encode(autoscaler.state(), Checkpoint.MAX_BYTES)) == null) {
                io.execute(() -> save(e, api));
            }
        }
    }

    private CompletableFuture<List<PodSnapshot>> observe(ScaledApi api, Set<Pod> pods, ResourceMeters meters) {
        String path = api.getSpec().metricsPath();
        String counter = api.getSpec().requestCounter();
        List<PodTarget> targets = new ArrayList<>();
        List<PodSnapshot> snapshots = new ArrayList<>();
        Map<String, Pod> byName = new java.util.HashMap<>();
        for (Pod pod : pods) {
            if (pod.getMetadata().getDeletionTimestamp() != null) {
                continue; // terminating: no longer in the Service's endpoints
            }
            Instant readySince = readySince(pod);
            String ip = pod.getStatus() == null ? null : pod.getStatus().getPodIP();
            if (readySince == null || ip == null || ip.isEmpty()) {
                snapshots.add(PodSnapshot.notReady(pod.getMetadata().getName(), startedAt(pod)));
            } else {
                targets.add(new PodTarget(pod.getMetadata().getNamespace(), pod.getMetadata().getName(), ip, port(api, pod), path));
                byName.put(pod.getMetadata().getName(), pod);
            }
        }
        if (targets.isEmpty()) {
            return CompletableFuture.completedFuture(snapshots);
        }
        return scraper.scrape(api.getMetadata().getNamespace() + "/" + api.getMetadata().getName(), targets,
                new PodCountersReader(counter)).thenApply(results -> {
            for (PodTarget target : targets) {
                Pod pod = byName.get(target.name());
                PodScraper.Result result = results.get(target.name());
                double cpuLimit = cpuLimitCores(pod);
                if (result != null && result.counters() != null) {
                    snapshots.add(PodSnapshot.scraped(target.name(), startedAt(pod), readySince(pod), result.counters())
                            .withCpuLimit(cpuLimit));
                } else {
                    ScrapeFailure kind = result == null ? ScrapeFailure.ERROR : result.kind();
                    meters.scrapeFailed(kind);
                    String failure = result == null ? "scrape did not finish" : result.failure();
                    // A pod too busy to answer in time, or whose page outgrew the bound, may be drowning: the
                    // autoscaler decides from what it knew of the pod whether it counts saturated.
                    snapshots.add((kind == ScrapeFailure.TIMEOUT || kind == ScrapeFailure.TOO_LARGE
                            ? PodSnapshot.noFullAnswer(target.name(), startedAt(pod), readySince(pod), failure)
                            : PodSnapshot.unscraped(target.name(), startedAt(pod), readySince(pod), failure)).withCpuLimit(cpuLimit));
                }
            }
            return snapshots;
        });
    }

    private io.scaledapi.autoscaler.AutoscalerState restore(ScaledApi api) {
        String name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
        try {
            var state = checkpoints.load(api);
            log.debug("{} {}", name, state.isPresent() ? "restored its autoscaler checkpoint" : "has no checkpoint: starts fresh");
            return state.orElse(null);
        } catch (RuntimeException e) {
            log.warn("{} could not read its autoscaler checkpoint, starts fresh: {}", name, e.getMessage());
            return null;
        }
    }

    private void save(Entry e, ScaledApi api) {
        String checkpoint = e.unsaved.getAndSet(null);
        if (checkpoint == null || !entries.containsKey(e.id)) {
            return; // nothing new, or deleted meanwhile (its owner reference would be refused anyway)
        }
        try {
            checkpoints.save(api, checkpoint);
            if (e.checkpointFailing) {
                e.checkpointFailing = false;
                log.info("{} autoscaler checkpoint saved again", e.name);
            }
        } catch (RuntimeException ex) {
            if (!e.checkpointFailing) {
                e.checkpointFailing = true;
                log.warn("{} autoscaler checkpoint not saved (a restarted operator would start this resource afresh): {}",
                        e.name, ex.getMessage());
            }
        }
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

    /** The pod's metrics port as its template had it (a rollout may still run pods of an older spec). */
    private static int port(ScaledApi api, Pod pod) {
        for (Container container : pod.getSpec().getContainers()) {
            for (ContainerPort port : container.getPorts()) {
                if (OwnedObjects.METRICS_PORT_NAME.equals(port.getName())) {
                    return port.getContainerPort();
                }
            }
        }
        return api.getSpec().metricsPort();
    }

    /** The pod's CPU limit in cores, summed over its containers; NaN when one of them has none. */
    static double cpuLimitCores(Pod pod) {
        double cores = 0;
        for (Container container : pod.getSpec().getContainers()) {
            var limits = container.getResources() == null ? null : container.getResources().getLimits();
            var cpu = limits == null ? null : limits.get("cpu");
            if (cpu == null) {
                return Double.NaN;
            }
            cores += cpu.getNumericalAmount().doubleValue();
        }
        return cores > 0 ? cores : Double.NaN;
    }

    private static Instant startedAt(Pod pod) {
        String start = pod.getStatus() != null && pod.getStatus().getStartTime() != null ? pod.getStatus().getStartTime()
                : pod.getMetadata().getCreationTimestamp();
        return start == null ? null : Instant.parse(start);
    }

    private static Instant readySince(Pod pod) {
        if (pod.getStatus() == null) {
            return null;
        }
        for (PodCondition condition : pod.getStatus().getConditions()) {
            if ("Ready".equals(condition.getType()) && "True".equals(condition.getStatus())) {
                return condition.getLastTransitionTime() != null ? Instant.parse(condition.getLastTransitionTime()) : Instant.EPOCH;
            }
        }
        return null;
    }

    private static long jitter(long bound) {
        return ThreadLocalRandom.current().nextLong(Math.max(1, bound));
    }

    private static java.time.Duration ms(long millis) {
        return java.time.Duration.ofMillis(millis);
    }

    private static java.util.concurrent.ThreadFactory daemon(String name) {
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
