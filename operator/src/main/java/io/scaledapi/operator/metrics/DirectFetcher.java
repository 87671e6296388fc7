package io.scaledapi.operator.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Scrapes the pod's own address, as the operator does inside the cluster. */
public final class DirectFetcher implements MetricsFetcher {

    private final HttpClient client;
    private final Duration timeout;

    public DirectFetcher(Duration timeout, Executor executor) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder().connectTimeout(timeout).executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    @Override
    public CompletableFuture<String> fetch(PodTarget pod) {
        String host = pod.ip().contains(":") ? "[" + pod.ip() + "]" : pod.ip();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + pod.port() + pod.path()))
                .timeout(timeout)
                .header("Accept", "text/plain;version=0.0.4, application/openmetrics-text;q=0.5")
                .GET().build();
        return client.sendAsync(request, HttpResponse.BodyHandlers.ofString()).thenApply(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException(pod.path() + " answered HTTP " + response.statusCode());
            }
            return response.body();
        });
    }
}
