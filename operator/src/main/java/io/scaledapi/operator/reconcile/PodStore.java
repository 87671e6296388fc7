package io.scaledapi.operator.reconcile;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.informers.cache.BasicItemStore;
import io.fabric8.kubernetes.client.informers.cache.Cache;

/**
 * The pod informer's cache, without each pod's {@code metadata.managedFields}: the operator never applies pods, and
 * those nested field maps are most of a cached pod's heap (thousands of pods would not fit the chart's 256 MiB heap
 * with them). The kube-controller-manager and the scheduler drop them from their caches for the same reason.
 */
final class PodStore extends BasicItemStore<Pod> {

    PodStore() {
        super(Cache::metaNamespaceKeyFunc);
    }

    @Override
    public Pod put(String key, Pod pod) {
        if (pod.getMetadata() != null) {
            pod.getMetadata().setManagedFields(null);
        }
        return super.put(key, pod);
    }
}
