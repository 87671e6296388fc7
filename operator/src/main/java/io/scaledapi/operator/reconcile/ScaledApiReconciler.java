package io.scaledapi.operator.reconcile;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Objects;
import java.util.Set;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.javaoperatorsdk.operator.api.config.informer.InformerEventSourceConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.EventSourceContext;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.processing.event.ResourceID;
import io.javaoperatorsdk.operator.processing.event.source.EventSource;
import io.javaoperatorsdk.operator.processing.event.source.inbound.SimpleInboundEventSource;
import io.javaoperatorsdk.operator.processing.event.source.informer.InformerEventSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.metrics.PodScraper;

/**
 * Keeps each ScaledApi's Deployment, Service and PodDisruptionBudget as its spec says, applies what its autoscaler
 * (ticking on a schedule of its own, see {@link AutoscalingLoop}) decided, and reports status when what a user reads
 * changes. The Deployment is applied once with the decided replicas: one writer, one field manager.
 */
@Workflow(explicitInvocation = true, dependents = {
    @Dependent(type = DeploymentDependent.class, name = ScaledApiReconciler.DEPLOYMENT),
    @Dependent(type = ServiceDependent.class, name = "service"),
    @Dependent(type = DisruptionBudgetDependent.class, reconcilePrecondition = DisruptionBudgetDependent.WhenMinAtLeastTwo.class),
    @Dependent(type = SharedCacheDeploymentDependent.class, name = "shared-cache-deployment",
            reconcilePrecondition = SharedCacheDependent.WhenManaged.class),
    @Dependent(type = SharedCacheServiceDependent.class, name = "shared-cache-service",
            reconcilePrecondition = SharedCacheDependent.WhenManaged.class)})
@ControllerConfiguration(name = "scaledapi", fieldManager = OwnedObjects.MANAGED_BY)
public class ScaledApiReconciler implements Reconciler<ScaledApi> {

    private static final Logger log = LoggerFactory.getLogger(ScaledApiReconciler.class);

    /** Key of the autoscaler's decision in the workflow context, read by {@link DeploymentDependent}. */
    static final String DESIRED_REPLICAS = "desiredReplicas";
    /** The API Deployment's dependent, and its event source: the managed Redis has a Deployment too. */
    static final String DEPLOYMENT = "deployment";

    private final Clock clock;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final AutoscalingLoop autoscaling;

    public ScaledApiReconciler(KubernetesClient client, Clock clock, PodScraper scraper, MeterRegistry registry) {
        this.clock = clock;
        this.client = client;
        this.events = new EventRecorder(client);
        this.autoscaling = new AutoscalingLoop(clock, scraper, new ConfigMapCheckpoints(client), registry);
    }

    /**
     * The resource's pods, found by the label the Deployment's template gives them, and the autoscaler's wake-up
     * calls: a tick that has something to apply or to show triggers a reconcile of its resource.
     */
    @Override
    public List<EventSource<?, ScaledApi>> prepareEventSources(EventSourceContext<ScaledApi> context) {
        var podsInformer = InformerEventSourceConfiguration.from(Pod.class, ScaledApi.class)
                .withLabelSelector(OwnedObjects.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(pod -> pod.getMetadata().getLabels() == null
                        || !pod.getMetadata().getLabels().containsKey(OwnedObjects.NAME_LABEL) ? Set.of()
                        : Set.of(new ResourceID(pod.getMetadata().getLabels().get(OwnedObjects.NAME_LABEL),
                                pod.getMetadata().getNamespace())));
        // JOSDK gives the one store instance to the informer of every watched namespace, and an informer's relist
        // drops from its store whatever it did not list: with two namespaces, each would delete the other's pods
        // from the cache (the fault suite saw a resource's pods vanish, so it was never scraped). The lean store is
        // used only where there is one informer: all namespaces, or one.
        Set<String> namespaces = context.getControllerConfiguration().getInformerConfig().getNamespaces();
        if (namespaces.size() <= 1) {
            podsInformer.withItemStore(new PodStore());
        }
        InformerEventSourceConfiguration<Pod> podsConfig = podsInformer.build();
        InformerEventSource<Pod, ScaledApi> pods = new InformerEventSource<>(podsConfig, context);
        SimpleInboundEventSource<ScaledApi> ticks = new SimpleInboundEventSource<>("autoscaler-ticks");
        autoscaling.bind(context.getPrimaryCache()::get, pods::getSecondaryResources, ticks::propagateEvent);
        return List.of(pods, ticks);
    }

    @Override
    public UpdateControl<ScaledApi> reconcile(ScaledApi api, Context<ScaledApi> context) {
        String name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
        ResourceID id = ResourceID.fromResource(api);
        boolean paused = Boolean.TRUE.equals(api.getSpec().paused);
        boolean recommendOnly = ScalingPolicies.recommendOnly(api.getSpec());
        Deployment deployment = context.getSecondaryResource(Deployment.class, DEPLOYMENT).orElse(null);
        Integer before = deployment == null ? null : deployment.getSpec().getReplicas();
        AutoscalingLoop.Tick tick = autoscaling.track(api, before);
        // Only a decision not yet applied sets replicas; otherwise, and while paused, they stay as they are (so an
        // old decision never undoes a change made since, and holding on missing data holds for real).
        Decision apply = deployment == null || paused || recommendOnly ? null : autoscaling.unapplied(id).orElse(null);
        if (apply != null) {
            if (before != null && apply.replicas() < before) {
                List<Pod> pods = List.copyOf(context.getSecondaryResources(Pod.class));
                int patched = PodDeletionCosts.apply(client, name, pods, PodDeletionCosts.of(pods, apply.localHitRates()));
                log.debug("{} deletion costs set on {} pods before scaling in", name, patched);
            }
            context.managedWorkflowAndDependentResourceContext().put(DESIRED_REPLICAS, apply.replicas());
        }
        if (recommendOnly && deployment != null && ReplicasHandover.operatorOwnsReplicas(deployment)) {
            handOverReplicas(name, deployment);
        }
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        if (deployment == null) {
            // Just created: JOSDK does not reconcile again for its own create, and a tick needs the replicas.
            tick = autoscaling.track(api, context.getSecondaryResource(Deployment.class, DEPLOYMENT)
                    .map(d -> d.getSpec().getReplicas()).orElse(null));
        }
        // Status describes the Deployment as this reconcile left it: JOSDK does not reconcile again for its own
        // update either, so a scale shown against the old replicas (AtMinimum after scaling up) could stay until
        // something else changed.
        Deployment shown = deployment == null ? null
                : context.getSecondaryResource(Deployment.class, DEPLOYMENT).orElse(deployment);

        ScaledApiStatus status = StatusReport.of(api, shown, tick, clock.instant());
        boolean scaled = apply != null && apply.replicas() != before;
        if (apply != null) {
            autoscaling.applied(id, apply);
        }
        if (scaled) {
            String change = before + " -> " + apply.replicas() + ": " + apply.reason();
            log.info("{} scaled {}", name, change);
            events.record(api, EventRecorder.NORMAL, apply.replicas() > before ? "ScaledUp" : "ScaledDown", change);
            status.desiredReplicas = apply.replicas();
            status.lastScaleTime = clock.instant().truncatedTo(ChronoUnit.SECONDS).toString();
            status.lastDecision = change;
            StatusReport.addDecision(status, clock.instant(), before, apply.replicas(), true, apply.reason());
            autoscaling.scaled(id, apply.replicas() > before);
        }
        boolean recommended = recommendOnly && !paused && before != null && recommendationChanged(api.getStatus(), status, tick);
        if (recommended) {
            Decision d = tick.decision();
            String change = before + " -> " + d.replicas() + " (not applied: spec.scaling.mode is Recommend): " + d.reason();
            log.info("{} recommends {}", name, change);
            events.record(api, EventRecorder.NORMAL, "ScaleRecommended", change);
            StatusReport.addDecision(status, clock.instant(), before, d.replicas(), false, d.reason());
        }
        autoscaling.shown(id, status, recommendOnly ? ScaledApiSpec.ScalingMode.Recommend : ScaledApiSpec.ScalingMode.Auto);
        if (tick != null && !tick.decision().metricsAvailable()) {
            events.record(api, EventRecorder.WARNING, StatusReport.METRICS_UNAVAILABLE, tick.decision().metricsMessage());
        } else if (tick != null && tick.decision().metricsProblem() != null) {
            events.record(api, EventRecorder.WARNING, tick.decision().metricsProblem(), tick.decision().metricsMessage());
        }
        StatusReport.find(status, StatusReport.READY).filter(c -> StatusReport.IMAGE_NOT_READY.equals(c.getReason()))
                .ifPresent(c -> events.record(api, EventRecorder.WARNING, StatusReport.IMAGE_NOT_READY, c.getMessage()));
        if (api.getSpec().env != null) {
            api.getSpec().env.stream().filter(e -> DeploymentDependent.MANAGED_ENV.contains(e.getName())).forEach(e ->
                    events.record(api, EventRecorder.WARNING, "EnvIgnored", "spec.env " + e.getName()
                            + " is set by the operator from the spec (cache.ttl, cache.maxEntries, port) and was left out"));
        }
        if (StatusReport.sameToAUser(api.getStatus(), status)) {
            // Until a Deployment is seen, look again: ticks start only once its replicas are known.
            return deployment == null ? UpdateControl.<ScaledApi>noUpdate().rescheduleAfter(ScalingPolicies.from(api.getSpec()).interval())
                    : UpdateControl.noUpdate();
        }
        // At most one status write per tick; a new spec or a scale is shown at once.
        boolean urgent = scaled || recommended || api.getStatus() == null
                || !Objects.equals(api.getStatus().observedGeneration, status.observedGeneration);
        long wait = autoscaling.statusWriteDelay(id, urgent);
        if (wait > 0) {
            return UpdateControl.<ScaledApi>noUpdate().rescheduleAfter(wait);
        }
        autoscaling.statusWritten(id);
        log.debug("{} status: {} of {} replicas ready, {} desired", name, status.readyReplicas, status.replicas,
                status.desiredReplicas);
        UpdateControl<ScaledApi> write = UpdateControl.patchStatus(statusOnly(api, status));
        return deployment == null ? write.rescheduleAfter(ScalingPolicies.from(api.getSpec()).interval()) : write;
    }

    /**
     * Whether this tick's recommendation is one status has not shown yet. A status write may reach the cache after
     * the next reconcile: the last recorded decision counts as shown too.
     */
    private static boolean recommendationChanged(ScaledApiStatus previous, ScaledApiStatus status, AutoscalingLoop.Tick tick) {
        if (tick == null || !tick.decision().metricsAvailable() || status.desiredReplicas == null) {
            return false;
        }
        int recommended = tick.decision().replicas();
        boolean shown = previous != null && Objects.equals(previous.desiredReplicas, recommended);
        List<ScaledApiStatus.ScaleDecision> recent = status.recentDecisions;
        boolean recorded = recent != null && !recent.isEmpty() && !Boolean.TRUE.equals(recent.get(recent.size() - 1).applied)
                && Objects.equals(recent.get(recent.size() - 1).to, recommended);
        return !shown && !recorded;
    }

    /** Leaves the Deployment's replicas to others without resetting them (see {@link ReplicasHandover}). */
    private void handOverReplicas(String name, Deployment deployment) {
        try {
            ReplicasHandover.handOver(client, deployment);
            log.info("{} Recommend mode: the Deployment's replicas ({}) are handed over, no longer set by the operator",
                    name, deployment.getSpec().getReplicas());
        } catch (KubernetesClientException e) {
            if (e.getCode() != 409) {
                throw e;
            }
            // Another manager owns replicas with another value: letting go cannot reset them.
            log.debug("{} replicas are owned by another manager too: {}", name, e.getMessage());
        }
    }

    /** Stops the autoscaler's ticks. */
    public void close() {
        autoscaling.close();
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
