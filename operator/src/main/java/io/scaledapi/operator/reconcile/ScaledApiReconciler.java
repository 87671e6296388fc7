package io.scaledapi.operator.reconcile;

import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.autoscaling.Decision;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.api.ScaledApiStatus;

/**
 * Keeps each ScaledApi's Deployment, Service and PodDisruptionBudget as its spec says, runs its autoscaler every
 * {@code scaling.interval}, and reports status. The autoscaler decides first, so that the Deployment is applied once
 * with the decided replicas: one writer, one field manager.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(type = DeploymentDependent.class),
    @Dependent(type = ServiceDependent.class),
    @Dependent(type = DisruptionBudgetDependent.class, reconcilePrecondition = DisruptionBudgetDependent.WhenMinAtLeastTwo.class)})
@ControllerConfiguration(name = "scaledapi", fieldManager = OwnedObjects.MANAGED_BY)
public class ScaledApiReconciler implements Reconciler<ScaledApi> {

    private static final Logger log = LoggerFactory.getLogger(ScaledApiReconciler.class);

    /** Key of the autoscaler's decision in the workflow context, read by {@link DeploymentDependent}. */
    static final String DESIRED_REPLICAS = "desiredReplicas";

    private final Clock clock;
    private final EventRecorder events;
    private final AutoscalingLoop autoscaling;
    private final java.util.concurrent.atomic.AtomicLong reconciles = new java.util.concurrent.atomic.AtomicLong();
    /** Listing every resource on every reconcile would cost O(n²) per round at scale. */
    private static final int FORGET_EVERY = 256;

    public ScaledApiReconciler(KubernetesClient client, Clock clock, PodScraper scraper) {
        this.clock = clock;
        this.events = new EventRecorder(client);
        this.autoscaling = new AutoscalingLoop(clock, scraper);
    }

    /** The resource's pods, found by the label the Deployment's template gives them. */
    @Override
    public List<EventSource<?, ScaledApi>> prepareEventSources(EventSourceContext<ScaledApi> context) {
        InformerEventSourceConfiguration<Pod> pods = InformerEventSourceConfiguration.from(Pod.class, ScaledApi.class)
                .withLabelSelector(OwnedObjects.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(pod -> pod.getMetadata().getLabels() == null
                        || !pod.getMetadata().getLabels().containsKey(OwnedObjects.NAME_LABEL) ? Set.of()
                        : Set.of(new ResourceID(pod.getMetadata().getLabels().get(OwnedObjects.NAME_LABEL),
                                pod.getMetadata().getNamespace())))
                .build();
        return List.of(new InformerEventSource<>(pods, context));
    }

    @Override
    public UpdateControl<ScaledApi> reconcile(ScaledApi api, Context<ScaledApi> context) {
        String name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
        boolean paused = Boolean.TRUE.equals(api.getSpec().paused);
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        Optional<AutoscalingLoop.Tick> tick = Optional.empty();
        Integer before = deployment == null ? null : deployment.getSpec().getReplicas();
        if (deployment != null) {
            tick = autoscaling.tick(api, context.getSecondaryResources(Pod.class), before);
            // Only a fresh decision sets replicas; in between, and while paused, they stay as they are (so a
            // stale decision never undoes a change made since, and holding on missing data holds for real).
            tick.filter(t -> t.fresh() && !paused).ifPresent(t ->
                    context.managedWorkflowAndDependentResourceContext().put(DESIRED_REPLICAS, t.decision().replicas()));
        }
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        if (reconciles.incrementAndGet() % FORGET_EVERY == 0) { // deleted resources' autoscalers, now and then
            autoscaling.forget(context.getPrimaryCache().list().map(p -> p.getMetadata().getUid()).collect(Collectors.toSet()));
        }

        ScaledApiStatus status = StatusReport.of(api, deployment, tick.orElse(null), clock.instant());
        if (tick.isPresent() && tick.get().fresh() && !paused && before != null && tick.get().decision().replicas() != before) {
            Decision decision = tick.get().decision();
            String change = before + " -> " + decision.replicas() + ": " + decision.reason();
            log.info("{} scaled {}", name, change);
            events.record(api, EventRecorder.NORMAL, decision.replicas() > before ? "ScaledUp" : "ScaledDown", change);
            // Kept in the autoscaler's memory, so that every later status (written whole) carries it.
            tick.get().state().lastScale = clock.millis();
            tick.get().state().lastDecision = change;
            AutoscalingLoop.report(status, tick.get());
        }
        tick.filter(t -> !t.decision().metricsAvailable()).ifPresent(t ->
                events.record(api, EventRecorder.WARNING, StatusReport.METRICS_UNAVAILABLE, t.decision().metricsMessage()));
        StatusReport.find(status, StatusReport.READY).filter(c -> StatusReport.IMAGE_NOT_READY.equals(c.getReason()))
                .ifPresent(c -> events.record(api, EventRecorder.WARNING, StatusReport.IMAGE_NOT_READY, c.getMessage()));
        if (api.getSpec().env != null) {
            api.getSpec().env.stream().filter(e -> DeploymentDependent.MANAGED_ENV.contains(e.getName())).forEach(e ->
                    events.record(api, EventRecorder.WARNING, "EnvIgnored", "spec.env " + e.getName()
                            + " is set by the operator from the spec (cache.ttl, cache.maxEntries, port) and was left out"));
        }
        log.debug("{}/{} reconciled: {} of {} replicas ready", api.getMetadata().getNamespace(), api.getMetadata().getName(),
                status.readyReplicas, status.desiredReplicas);
        return UpdateControl.patchStatus(statusOnly(api, status)).rescheduleAfter(AutoscalingLoop.interval(api));
    }

    @Override
    public ErrorStatusUpdateControl<ScaledApi> updateErrorStatus(ScaledApi api, Context<ScaledApi> context, Exception e) {
        KubernetesClientException refused = apiServerRefusal(e);
        String message = refused != null && refused.getStatus() != null && refused.getStatus().getMessage() != null
                ? "the API server refused an owned object: " + refused.getStatus().getMessage()
                : "reconcile failed: " + e.getMessage();
        log.warn("{}/{} {}", api.getMetadata().getNamespace(), api.getMetadata().getName(), message);
        events.record(api, EventRecorder.WARNING, StatusReport.RECONCILE_FAILED, message);
        ErrorStatusUpdateControl<ScaledApi> control =
                ErrorStatusUpdateControl.patchStatus(statusOnly(api, StatusReport.failed(api, message, clock.instant())));
        // An invalid object stays invalid until the spec changes, which triggers a new reconcile anyway.
        return refused != null && refused.getCode() == 422 ? control.withNoRetry() : control;
    }

    private static KubernetesClientException apiServerRefusal(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof KubernetesClientException k && k.getCode() >= 400) {
                return k;
            }
            if (t instanceof AggregatedOperatorException w) {
                for (Exception inner : w.getAggregatedExceptions().values()) {
                    KubernetesClientException found = apiServerRefusal(inner);
                    if (found != null) {
                        return found;
                    }
                }
            }
        }
        return null;
    }

    /** Status is applied server-side as a whole: a fresh object with only identity and status. */
    private static ScaledApi statusOnly(ScaledApi api, ScaledApiStatus status) {
        ScaledApi patch = new ScaledApi();
        patch.setMetadata(new ObjectMetaBuilder().withName(api.getMetadata().getName())
                .withNamespace(api.getMetadata().getNamespace()).build());
        patch.setStatus(status);
        return patch;
    }
}
