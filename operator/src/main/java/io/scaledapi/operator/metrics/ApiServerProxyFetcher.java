package io.scaledapi.operator.metrics;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.http.HttpClient;
import io.fabric8.kubernetes.client.http.HttpRequest;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Scrapes through the API server's pod proxy ({@code pods/proxy}), for an operator running outside the cluster
 * (a developer's machine against minikube), where pod addresses are not reachable. The body is read as it streams
 * in and given up past {@link LimitedBody#MAX_BYTES}, as a direct scrape is.
 */
public final class ApiServerProxyFetcher implements MetricsFetcher {

    private final KubernetesClient client;
    private final int maxBytes;

    public ApiServerProxyFetcher(KubernetesClient client) {
        this(client, LimitedBody.MAX_BYTES);
    }

    ApiServerProxyFetcher(KubernetesClient client, int maxBytes) {
        this.client = client;
        this.maxBytes = maxBytes;
    }

    /** The API server's URL as a base for relative paths (a prefix such as a proxy's /k8s/clusters/x stays). */
    private URI base() {
        String master = client.getMasterUrl().toString();
        return URI.create(master.endsWith("/") ? master : master + "/");
    }

    @Override
    public CompletableFuture<String> fetch(PodTarget pod) {
        String path = "api/v1/namespaces/" + pod.namespace() + "/pods/" + pod.name() + ":" + pod.port() + "/proxy"
                + pod.path();
        HttpClient http = client.getHttpClient();
        HttpRequest request =
                http.newHttpRequestBuilder().uri(base().resolve(path)).build();
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CompletableFuture<String> result = new CompletableFuture<>();
        http.consumeBytes(request, (List<ByteBuffer> buffers, io.fabric8.kubernetes.client.http.AsyncBody body) -> {
                    for (ByteBuffer buffer : buffers) {
                        if (bytes.size() + buffer.remaining() > maxBytes) {
                            // First the reason, then the cancel: the client fails the body with its own error.
                            result.completeExceptionally(new ScrapeException(
                                    ScrapeFailure.TOO_LARGE, "the metrics body is over " + (maxBytes / 1024) + " KiB"));
                            body.cancel();
                            return;
                        }
                        byte[] chunk = new byte[buffer.remaining()];
                        buffer.get(chunk);
                        bytes.write(chunk, 0, chunk.length);
                    }
                    body.consume();
                })
                .whenComplete((response, failure) -> {
                    if (failure != null) {
                        result.completeExceptionally(failure);
                        return;
                    }
                    if (response.code() != 200) {
                        response.body().cancel();
                        result.completeExceptionally(new ScrapeException(
                                ScrapeFailure.HTTP_STATUS,
                                "the pod proxy answered HTTP " + response.code() + " for " + pod.path()));
                        return;
                    }
                    response.body().consume();
                    response.body().done().whenComplete((done, broken) -> {
                        if (broken != null) {
                            result.completeExceptionally(broken);
                        } else {
                            result.complete(bytes.toString(StandardCharsets.UTF_8));
                        }
                    });
                });
        return result;
    }
}
