package io.scaledapi.operator.reconcile;

import java.time.Clock;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.api.reconciler.ControllerConfiguration;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Reconciler;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.Workflow;
import io.javaoperatorsdk.operator.api.reconciler.dependent.Dependent;
import io.javaoperatorsdk.operator.AggregatedOperatorException;
import io.scaledapi.operator.api.ScaledApi;
import io.scaledapi.operator.api.ScaledApiStatus;

/** Keeps each ScaledApi's Deployment, Service and PodDisruptionBudget as its spec says, and reports status. */
@Workflow(dependents = {
    @Dependent(type = DeploymentDependent.class),
    @Dependent(type = ServiceDependent.class),
    @Dependent(type = DisruptionBudgetDependent.class, reconcilePrecondition = DisruptionBudgetDependent.WhenMinAtLeastTwo.class)})
@ControllerConfiguration(name = "scaledapi", fieldManager = OwnedObjects.MANAGED_BY)
public class ScaledApiReconciler implements Reconciler<ScaledApi> {

    private static final Logger log = LoggerFactory.getLogger(ScaledApiReconciler.class);

    private final Clock clock;
    private final EventRecorder events;

    public ScaledApiReconciler(KubernetesClient client, Clock clock) {
        this.clock = clock;
        this.events = new EventRecorder(client);
    }

    @Override
    public UpdateControl<ScaledApi> reconcile(ScaledApi api, Context<ScaledApi> context) {
        Deployment deployment = context.getSecondaryResource(Deployment.class).orElse(null);
        ScaledApiStatus status = StatusReport.of(api, deployment, clock.instant());
        StatusReport.find(status, StatusReport.READY).filter(c -> StatusReport.IMAGE_NOT_READY.equals(c.getReason()))
                .ifPresent(c -> events.record(api, EventRecorder.WARNING, StatusReport.IMAGE_NOT_READY, c.getMessage()));
        if (api.getSpec().env != null) {
            api.getSpec().env.stream().filter(e -> DeploymentDependent.MANAGED_ENV.contains(e.getName())).forEach(e ->
                    events.record(api, EventRecorder.WARNING, "EnvIgnored", "spec.env " + e.getName()
                            + " is set by the operator from the spec (cache.ttl, cache.maxEntries, port) and was left out"));
        }
        log.debug("{}/{} reconciled: {} of {} replicas ready", api.getMetadata().getNamespace(), api.getMetadata().getName(),
                status.readyReplicas, status.desiredReplicas);
        return UpdateControl.patchStatus(statusOnly(api, status));
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
