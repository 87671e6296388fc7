package io.scaledapi.operator.ticks;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.metrics.ScrapeFailure;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One ScaledApi's series on the operator's {@code /metrics}, labelled {@code namespace} and {@code name}: registered
 * when the operator first meets the resource, removed when it is gone ({@link #close}). Gauges show the figures last
 * reported here; a figure not known (no metrics yet, a hold on missing data) is NaN, never 0.
 */
public final class ResourceMeters implements AutoCloseable {

    /** The status modes, each a series of {@code scaledapi_mode} (1 for the current one). */
    static final List<String> MODES = List.of("Stable", "Burst", "Paused");

    private final MeterRegistry registry;
    private final Tags tags;
    /** Everything registered, for {@link #close}; guarded by {@code this}, as are the two fields below. */
    private final List<Meter> meters = new ArrayList<>();

    private final Map<ScrapeFailure, Counter> scrapeErrors = new EnumMap<>(ScrapeFailure.class);
    private boolean closed;
    private final Counter scaledUp;
    private final Counter scaledDown;
    private final Timer decisions;

    private volatile double desired = Double.NaN;
    private volatile double current = Double.NaN;
    private volatile double ready = Double.NaN;
    private volatile double stableRate = Double.NaN;
    private volatile double burstRate = Double.NaN;
    private volatile double hitRatio = Double.NaN;
    private volatile double sharedHitRatio = Double.NaN;
    private volatile double startupSeconds = Double.NaN;
    private volatile String mode;
    private volatile ScaledApiSpec.UpdateMode updateMode;

    ResourceMeters(MeterRegistry registry, String namespace, String name) {
        this.registry = registry;
        this.tags = Tags.of("namespace", namespace, "name", name);
        gauge(
                "scaledapi.replicas",
                "Replicas of the ScaledApi: desired (the autoscaler's decision or recommendation), "
                        + "current and ready (the Deployment's)",
                null,
                Tags.of("state", "desired"),
                m -> m.desired);
        gauge("scaledapi.replicas", null, null, Tags.of("state", "current"), m -> m.current);
        gauge("scaledapi.replicas", null, null, Tags.of("state", "ready"), m -> m.ready);
        gauge(
                "scaledapi.request.rate",
                "Requests per second the pods served, over the stable and the burst window",
                null,
                Tags.of("window", "stable"),
                m -> m.stableRate);
        gauge("scaledapi.request.rate", null, null, Tags.of("window", "burst"), m -> m.burstRate);
        gauge(
                "scaledapi.cache.hit.ratio",
                "Fleet-wide hit ratio of the pods' own caches over the stable window",
                null,
                Tags.empty(),
                m -> m.hitRatio);
        gauge(
                "scaledapi.shared.cache.hit.ratio",
                "Of the pods' cache misses, the share the shared tier answered",
                null,
                Tags.empty(),
                m -> m.sharedHitRatio);
        gauge(
                "scaledapi.pod.startup",
                "Measured start-to-ready time of the ScaledApi's pods (a moving average)",
                "seconds",
                Tags.empty(),
                m -> m.startupSeconds);
        for (String each : MODES) {
            gauge(
                    "scaledapi.mode",
                    "1 for the autoscaler's current mode (status.mode)",
                    null,
                    Tags.of("mode", each),
                    m -> each.equals(m.mode) ? 1 : 0);
        }
        for (ScaledApiSpec.UpdateMode each : ScaledApiSpec.UpdateMode.values()) {
            gauge(
                    "scaledapi.update.mode",
                    "1 for spec.scaling.updateMode: Auto applies decisions, Recommend only reports them",
                    null,
                    Tags.of("update_mode", each.name()),
                    m -> each == m.updateMode ? 1 : 0);
        }
        scaledUp =
                counter("scaledapi.scale.events", "Replica changes the operator applied", Tags.of("direction", "up"));
        scaledDown = counter("scaledapi.scale.events", null, Tags.of("direction", "down"));
        decisions = Timer.builder("scaledapi.decision.duration")
                .description("Time the autoscaler took to decide, per tick")
                .tags(tags)
                .register(registry);
        meters.add(decisions);
    }

    /** A tick's decision, and how long it took. */
    void decided(Decision decision, long nanos, Duration measuredStartup) {
        decisions.record(Duration.ofNanos(nanos));
        stableRate = decision.rates().stable().low();
        burstRate = decision.rates().burst().low();
        hitRatio = decision.rates().hitRatio();
        sharedHitRatio = decision.rates().sharedHitRatio();
        if (measuredStartup != null) {
            startupSeconds = measuredStartup.toMillis() / 1000.0;
        }
    }

    /** What status shows: replicas and mode. */
    void shown(ScaledApiStatus status, ScaledApiSpec.UpdateMode scaling) {
        desired = status.desiredReplicas == null ? Double.NaN : status.desiredReplicas;
        current = status.replicas == null ? Double.NaN : status.replicas;
        ready = status.readyReplicas == null ? Double.NaN : status.readyReplicas;
        mode = status.mode;
        updateMode = scaling;
    }

    void scaled(boolean up) {
        (up ? scaledUp : scaledDown).increment();
    }

    /** A pod that could not be scraped this tick. Counters per reason are made on first use, so the set stays small. */
    synchronized void scrapeFailed(ScrapeFailure failure) {
        if (closed) {
            return; // a tick that finished after the resource went: no series comes back
        }
        scrapeErrors
                .computeIfAbsent(
                        failure,
                        f -> counter(
                                "scaledapi.scrape.errors",
                                "Pods of the ScaledApi that could not be scraped, by reason",
                                Tags.of("reason", f.label())))
                .increment();
    }

    private void gauge(
            String name, String description, String baseUnit, Tags extra, ToDoubleFunction<ResourceMeters> value) {
        meters.add(Gauge.builder(name, this, value)
                .strongReference(true)
                .description(description)
                .baseUnit(baseUnit)
                .tags(tags)
                .tags(extra)
                .register(registry));
    }

    private Counter counter(String name, String description, Tags extra) {
        Counter counter = Counter.builder(name)
                .description(description)
                .tags(tags)
                .tags(extra)
                .register(registry);
        meters.add(counter);
        return counter;
    }

    /** The resource is gone: its series disappear. */
    @Override
    public synchronized void close() {
        closed = true;
        meters.forEach(registry::remove);
        meters.clear();
    }
}
