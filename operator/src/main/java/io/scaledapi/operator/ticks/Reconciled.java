package io.scaledapi.operator.ticks;

import io.scaledapi.autoscaler.Decision;
import io.scaledapi.operator.api.ScaledApiSpec;
import io.scaledapi.operator.api.ScaledApiStatus;
import io.scaledapi.operator.status.ScaleChange;

/**
 * What one reconcile did with a {@link ScalingResult}, reported back to the loop once.
 *
 * @param deploymentReplicas the Deployment's replicas as the reconcile left them; null while there is none
 * @param applied            the decision it applied, or null
 * @param change             the change a user was told of (applied or recommended), or null
 * @param status             the status it computed
 * @param updateMode        whether decisions are applied or only recommended
 * @param statusWritten      whether it wrote that status
 */
public record Reconciled(
        Integer deploymentReplicas,
        Decision applied,
        ScaleChange change,
        ScaledApiStatus status,
        ScaledApiSpec.UpdateMode updateMode,
        boolean statusWritten) {}
