package io.scaledapi.operator.reconcile;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
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
import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.metrics.PodScraper;
import io.scaledapi.operator.owned.DeploymentDependent;
import io.scaledapi.operator.owned.DesiredReplicas;
import io.scaledapi.operator.owned.DisruptionBudgetDependent;
import io.scaledapi.operator.owned.NameConflicts;
import io.scaledapi.operator.owned.OwnedObjects;
import io.scaledapi.operator.owned.ServiceDependent;
import io.scaledapi.operator.owned.SharedCacheDependent;
import io.scaledapi.operator.owned.SharedCacheDeploymentDependent;
import io.scaledapi.operator.owned.SharedCacheNetworkPolicyDependent;
import io.scaledapi.operator.owned.SharedCacheObjects;
import io.scaledapi.operator.owned.SharedCacheSecret;
import io.scaledapi.operator.owned.SharedCacheServiceDependent;
import io.scaledapi.operator.owned.StartupBoost;
import io.scaledapi.operator.status.EventRecorder;
import io.scaledapi.operator.status.ScaleChange;
import io.scaledapi.operator.status.StatusReport;
import io.scaledapi.operator.ticks.AutoscalingLoop;
import io.scaledapi.operator.ticks.ConfigMapCheckpoints;
import io.scaledapi.operator.ticks.Reconciled;
import io.scaledapi.operator.ticks.ScalingResult;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps each ScaledApi's Deployment, Service and PodDisruptionBudget as its spec says, applies what its autoscaler
 * (ticking on a schedule of its own, see {@link AutoscalingLoop}) decided, and reports status when what a user reads
 * changes. The Deployment is applied once with the decided replicas: one writer, one field manager.
 */
@Workflow(
        explicitInvocation = true,
        dependents = {
            @Dependent(type = DeploymentDependent.class, name = ScaledApiReconciler.DEPLOYMENT),
            @Dependent(type = ServiceDependent.class, name = "service"),
            @Dependent(
                    type = DisruptionBudgetDependent.class,
                    reconcilePrecondition = DisruptionBudgetDependent.WhenMinAtLeastTwo.class),
            @Dependent(
                    type = SharedCacheDeploymentDependent.class,
                    name = "shared-cache-deployment",
                    reconcilePrecondition = SharedCacheDependent.WhenManaged.class),
            @Dependent(
                    type = SharedCacheServiceDependent.class,
                    name = "shared-cache-service",
                    reconcilePrecondition = SharedCacheDependent.WhenManaged.class),
            @Dependent(
                    type = SharedCacheNetworkPolicyDependent.class,
                    name = "shared-cache-network-policy",
                    reconcilePrecondition = SharedCacheDependent.WhenManaged.class)
        })
@ControllerConfiguration(name = "scaledapi", fieldManager = OwnedObjects.MANAGED_BY)
public class ScaledApiReconciler implements Reconciler<ScaledApi> {

    private static final Logger log = LoggerFactory.getLogger(ScaledApiReconciler.class);

    /** The API Deployment's dependent, and its event source: the managed Redis has a Deployment too. */
    static final String DEPLOYMENT = "deployment";

    private final Clock clock;
    private final KubernetesClient client;
    private final EventRecorder events;
    private final AutoscalingLoop autoscaling;
    private final PodResizes resizes;
    private final NameConflicts nameConflicts;

    public ScaledApiReconciler(KubernetesClient client, Clock clock, PodScraper scraper, MeterRegistry registry) {
        this.clock = clock;
        this.client = client;
        this.events = new EventRecorder(client);
        this.resizes = new PodResizes(client);
        this.nameConflicts = new NameConflicts(client);
        this.autoscaling = new AutoscalingLoop(clock, scraper::scrape, new ConfigMapCheckpoints(client), registry);
    }

    /**
     * The resource's pods, found by the label the Deployment's template gives them, and the autoscaler's wake-up
     * calls: a tick that has something to apply or to show triggers a reconcile of its resource.
     */
    @Override
    public List<EventSource<?, ScaledApi>> prepareEventSources(EventSourceContext<ScaledApi> context) {
        var podsInformer = InformerEventSourceConfiguration.from(Pod.class, ScaledApi.class)
                .withLabelSelector(OwnedObjects.MANAGED_SELECTOR)
                .withSecondaryToPrimaryMapper(ScaledApiReconciler::byNameLabel);
        // JOSDK gives the one store instance to the informer of every watched namespace, and an informer's relist
        // drops from its store whatever it did not list: with two namespaces, each would delete the other's pods
        // from the cache (the fault suite saw a resource's pods vanish, so it was never scraped). The lean store is
        // used only where there is one informer: all namespaces, or one.
        Set<String> namespaces =
                context.getControllerConfiguration().getInformerConfig().getNamespaces();
        if (namespaces.size() <= 1) {
            podsInformer.withItemStore(new PodStore());
        }
        InformerEventSourceConfiguration<Pod> podsConfig = podsInformer.build();
        InformerEventSource<Pod, ScaledApi> pods = new InformerEventSource<>(podsConfig, context);
        // The ReplicaSets between the Deployment and its pods: only their pods are the resource's (OwnedPods). Read
        // from the cache by each tick; their own changes need no reconcile.
        InformerEventSource<ReplicaSet, ScaledApi> replicaSets = new InformerEventSource<>(
                InformerEventSourceConfiguration.from(ReplicaSet.class, ScaledApi.class)
                        .withName("replicasets")
                        .withLabelSelector(OwnedObjects.API_SELECTOR)
                        .withSecondaryToPrimaryMapper(ScaledApiReconciler::byNameLabel)
                        .withGenericFilter(rs -> false)
                        .build(),
                context);
        SimpleInboundEventSource<ScaledApi> ticks = new SimpleInboundEventSource<>("autoscaler-ticks");
        autoscaling.bind(
                context.getPrimaryCache()::get,
                pods::getSecondaryResources,
                replicaSets::getSecondaryResources,
                ticks::propagateEvent);
        return List.of(pods, replicaSets, ticks);
    }

    /** The ScaledApi an object of it belongs to, by the name label the operator gives its pods and ReplicaSets. */
    private static Set<ResourceID> byNameLabel(io.fabric8.kubernetes.api.model.HasMetadata object) {
        var labels = object.getMetadata().getLabels();
        return labels == null || !labels.containsKey(OwnedObjects.NAME_LABEL)
                ? Set.of()
                : Set.of(new ResourceID(
                        labels.get(OwnedObjects.NAME_LABEL),
                        object.getMetadata().getNamespace()));
    }

    @Override
    public UpdateControl<ScaledApi> reconcile(ScaledApi api, Context<ScaledApi> context) {
        String name = api.getMetadata().getNamespace() + "/" + api.getMetadata().getName();
        Optional<String> conflict = nameConflicts.find(api, context);
        if (conflict.isPresent()) {
            return nameConflict(api, name, conflict.get());
        }
        if (SharedCacheObjects.managed(api)
                && !nameConflicts.seenOurs(api, "Secret", SharedCacheObjects.secretName(api))
                && SharedCacheSecret.ensure(client, api)) {
            events.record(api, EventRecorder.NORMAL, "Created", "created Secret " + SharedCacheObjects.secretName(api));
        }
        boolean paused = Boolean.TRUE.equals(api.getSpec().paused);
        boolean recommendOnly = api.getSpec().recommendOnly();
        Deployment deployment =
                context.getSecondaryResource(Deployment.class, DEPLOYMENT).orElse(null);
        Integer before = deployment == null ? null : deployment.getSpec().getReplicas();
        ScalingResult result = autoscaling.track(api, deployment);
        // Only a decision not yet applied sets replicas; otherwise, and while paused, they stay as they are (so an
        // old decision never undoes a change made since, and holding on missing data holds for real).
        Decision apply = deployment == null || paused || recommendOnly
                ? null
                : result.toApply().orElse(null);
        if (apply != null) {
            if (before != null && apply.replicas() < before) {
                setDeletionCosts(name, context, apply);
            }
            DesiredReplicas.set(context, apply.replicas());
        }
        if (recommendOnly && deployment != null && ReplicasHandover.operatorOwnsReplicas(deployment)) {
            handOverReplicas(name, deployment);
        }
        StatusReport.StartupBoost boost = resizeStartedPods(api, name, context);
        context.managedWorkflowAndDependentResourceContext().reconcileManagedWorkflow();
        // Status describes the Deployment as this reconcile left it: JOSDK does not reconcile again for its own
        // update, so a scale shown against the old replicas (AtMinimum after scaling up) could stay until something
        // else changed. A Deployment this reconcile created is shown from the next one.
        Deployment after =
                context.getSecondaryResource(Deployment.class, DEPLOYMENT).orElse(deployment);
        Deployment shown = deployment == null ? null : after;
        ScaleChange change = changeToTell(api, before, apply, result.decision());
        ScaledApiStatus status =
                StatusReport.of(api, shown, result.decision(), result.rates(), change, boost, clock.instant());
        tell(api, name, change, result, status);
        Optional<Duration> wait = statusWriteWait(api, status, change, result);
        boolean write = wait.filter(Duration::isZero).isPresent();
        Integer replicas = apply != null
                ? Integer.valueOf(apply.replicas())
                : after == null ? null : after.getSpec().getReplicas();
        autoscaling.reconciled(
                ResourceID.fromResource(api),
                new Reconciled(replicas, apply, change, status, api.getSpec().effectiveUpdateMode(), write));
        // Until a Deployment is seen, look again: ticks start only once its replicas are known.
        Duration lookAgain = deployment == null ? api.getSpec().scalingPolicy().interval() : null;
        if (!write) {
            return reschedule(UpdateControl.noUpdate(), wait.orElse(lookAgain));
        }
        log.debug(
                "{} status: {} of {} replicas ready, {} desired",
                name,
                status.readyReplicas,
                status.replicas,
                status.desiredReplicas);
        return reschedule(UpdateControl.patchStatus(statusOnly(api, status)), lookAgain);
    }

    /**
     * Another object holds a name this ScaledApi needs: nothing is written, the status and a Warning event name it,
     * and the name is looked at again later (the informers do not show objects the operator does not own, so its
     * deletion sends no event).
     */
    private UpdateControl<ScaledApi> nameConflict(ScaledApi api, String name, String conflict) {
        String message = conflict + ": it is left alone, and nothing of this ScaledApi is created or changed until it"
                + " is renamed or deleted (or this ScaledApi is)";
        boolean told = StatusReport.find(api.getStatus(), StatusReport.READY)
                .filter(c -> message.equals(c.getMessage()))
                .isPresent();
        UpdateControl<ScaledApi> control = UpdateControl.noUpdate();
        if (!told) {
            log.warn("{} {}", name, message);
            events.record(api, EventRecorder.WARNING, StatusReport.NAME_CONFLICT, message);
            control = UpdateControl.patchStatus(
                    statusOnly(api, StatusReport.failed(api, StatusReport.NAME_CONFLICT, message, clock.instant())));
        }
        return control.rescheduleAfter(NAME_CONFLICT_RECHECK);
    }

    /** How often a name held by another object is looked at again. */
    static final Duration NAME_CONFLICT_RECHECK = Duration.ofSeconds(15);

    private static UpdateControl<ScaledApi> reschedule(UpdateControl<ScaledApi> control, Duration after) {
        return after == null ? control : control.rescheduleAfter(after);
    }

    /** The change a user is told of: replicas this reconcile applies, or a new recommendation; null for neither. */
    private static ScaleChange changeToTell(ScaledApi api, Integer before, Decision apply, Decision latest) {
        if (apply != null && apply.replicas() != before) {
            return ScaleChange.scaled(before, apply);
        }
        boolean recommending =
                api.getSpec().recommendOnly() && !Boolean.TRUE.equals(api.getSpec().paused) && before != null;
        return recommending && StatusReport.recommendationIsNew(api.getStatus(), latest)
                ? ScaleChange.recommended(before, latest)
                : null;
    }

    /**
     * How long until this status may be written, zero for now: at most one write per tick, but a new spec or a scale
     * is shown at once. Empty when a user would see no change.
     */
    private Optional<Duration> statusWriteWait(
            ScaledApi api, ScaledApiStatus status, ScaleChange change, ScalingResult result) {
        if (StatusReport.sameToAUser(api.getStatus(), status)) {
            return Optional.empty();
        }
        boolean urgent = change != null
                || api.getStatus() == null
                || !Objects.equals(api.getStatus().observedGeneration, status.observedGeneration);
        return Optional.of(
                urgent ? Duration.ZERO : Duration.ofMillis(Math.max(0, result.statusWritableAt() - clock.millis())));
    }

    /**
     * Pods created with a start-up CPU boost go to their steady limit once ready, restarted ones back up (see
     * {@link StartupBoost}); once the cluster refuses a resize, the template is rendered unboosted. Returns what the
     * StartupBoosted condition says.
     */
    private StatusReport.StartupBoost resizeStartedPods(ScaledApi api, String name, Context<ScaledApi> context) {
        var pods = context.getSecondaryResources(Pod.class);
        resizes.retainOnly(name, pods);
        int percent = api.getSpec().cpuBoostPercent();
        ResourceRequirements steady = DeploymentDependent.steadyResources(api.getSpec());
        Optional<String> whyNot = StartupBoost.whyNot(steady, percent);
        if (resizes.refusal(name).isEmpty()) {
            resizes.apply(name, resizes.needed(name, pods, percent));
        }
        Optional<String> refused = resizes.refusal(name);
        refused.ifPresent(why -> StartupBoost.refused(context, why));
        if (whyNot.isPresent()) {
            return new StatusReport.StartupBoost(false, "NotBoostable", "new pods start unboosted: " + whyNot.get());
        }
        if (refused.isPresent()) {
            return new StatusReport.StartupBoost(false, "ResizeRefused", "new pods start unboosted: " + refused.get());
        }
        return new StatusReport.StartupBoost(
                true,
                "Boosted",
                String.format(
                        Locale.ROOT,
                        "new pods start with their CPU limit raised by %d %%, resized in place to %s once ready",
                        percent,
                        steady.getLimits().get("cpu")));
    }

    /** Before scaling in: the pods with the coldest caches go first (see {@link PodDeletionCosts}). */
    private void setDeletionCosts(String name, Context<ScaledApi> context, Decision apply) {
        List<Pod> pods = List.copyOf(context.getSecondaryResources(Pod.class));
        int patched = PodDeletionCosts.apply(client, name, pods, PodDeletionCosts.of(pods, apply.localHitRates()));
        log.debug("{} deletion costs set on {} pods before scaling in", name, patched);
    }

    /** This reconcile's log line and events: a change of replicas, metrics trouble, an image that does not run. */
    private void tell(ScaledApi api, String name, ScaleChange change, ScalingResult result, ScaledApiStatus status) {
        if (change != null && change.applied()) {
            log.info("{} scaled {}", name, change.summary());
            events.record(api, EventRecorder.NORMAL, change.up() ? "ScaledUp" : "ScaledDown", change.summary());
        } else if (change != null) {
            log.info("{} recommends {}", name, change.summary());
            events.record(api, EventRecorder.NORMAL, "ScaleRecommended", change.summary());
        }
        Decision decision = result.decision();
        if (decision != null && !decision.metricsAvailable()) {
            events.record(api, EventRecorder.WARNING, StatusReport.METRICS_UNAVAILABLE, decision.metricsMessage());
        } else if (decision != null && decision.metricsProblem() != null) {
            events.record(api, EventRecorder.WARNING, decision.metricsProblem(), decision.metricsMessage());
        }
        StatusReport.find(status, StatusReport.READY)
                .filter(c -> StatusReport.IMAGE_NOT_READY.equals(c.getReason()))
                .ifPresent(
                        c -> events.record(api, EventRecorder.WARNING, StatusReport.IMAGE_NOT_READY, c.getMessage()));
        if (api.getSpec().env != null) {
            api.getSpec().env.stream()
                    .filter(DeploymentDependent::ignored)
                    .forEach(
                            e -> events.record(
                                    api,
                                    EventRecorder.WARNING,
                                    "EnvIgnored",
                                    "spec.env " + e.getName()
                                            + " is set by the operator from the spec (cache.ttl, cache.maxEntries, port, cache.shared) and was left out"));
        }
    }

    /** Leaves the Deployment's replicas to others without resetting them (see {@link ReplicasHandover}). */
    private void handOverReplicas(String name, Deployment deployment) {
        try {
            ReplicasHandover.handOver(client, deployment);
            log.info(
                    "{} Recommend mode: the Deployment's replicas ({}) are handed over, no longer set by the operator",
                    name,
                    deployment.getSpec().getReplicas());
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
    public ErrorStatusUpdateControl<ScaledApi> updateErrorStatus(
            ScaledApi api, Context<ScaledApi> context, Exception e) {
        KubernetesClientException refused = apiServerRefusal(e);
        String message = refused != null
                        && refused.getStatus() != null
                        && refused.getStatus().getMessage() != null
                ? "the API server refused an owned object: "
                        + refused.getStatus().getMessage()
                : "reconcile failed: " + e.getMessage();
        log.warn("{}/{} {}", api.getMetadata().getNamespace(), api.getMetadata().getName(), message);
        events.record(api, EventRecorder.WARNING, StatusReport.RECONCILE_FAILED, message);
        ErrorStatusUpdateControl<ScaledApi> control = ErrorStatusUpdateControl.patchStatus(
                statusOnly(api, StatusReport.failed(api, StatusReport.RECONCILE_FAILED, message, clock.instant())));
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
        patch.setMetadata(new ObjectMetaBuilder()
                .withName(api.getMetadata().getName())
                .withNamespace(api.getMetadata().getNamespace())
                .build());
        patch.setStatus(status);
        return patch;
    }
}
