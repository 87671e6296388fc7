package io.scaledapi.operator.metrics;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * Scrapes through the API server's pod proxy ({@code pods/proxy}), for an operator running outside the cluster
 * (a developer's machine against minikube), where pod addresses are not reachable.
 */
public final class ApiServerProxyFetcher implements MetricsFetcher {

    private final KubernetesClient client;
    private final Executor executor;

    public ApiServerProxyFetcher(KubernetesClient client, Executor executor) {
        this.client = client;
        this.executor = executor;
    }

    @Override
    public CompletableFuture<String> fetch(PodTarget pod) {
        String path = "/api/v1/namespaces/" + pod.namespace() + "/pods/" + pod.name() + ":" + pod.port() + "/proxy"
                + pod.path();
        return CompletableFuture.supplyAsync(
                () -> {
                    String body = client.raw(path);
                    if (body == null) {
                        throw new ScrapeException(
                                ScrapeFailure.HTTP_STATUS, "the pod proxy gave no answer for " + pod.path());
                    }
                    return body;
                },
                executor);
    }
}
