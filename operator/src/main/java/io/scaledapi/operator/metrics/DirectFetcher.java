package io.scaledapi.operator.metrics;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/** Scrapes the pod's own address, as the operator does inside the cluster, reading at most {@link LimitedBody#MAX_BYTES}. */
public final class DirectFetcher implements MetricsFetcher {

    private final HttpClient client;
    private final Duration timeout;

    public DirectFetcher(Duration timeout, Executor executor) {
        this.timeout = timeout;
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .executor(executor)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public CompletableFuture<String> fetch(PodTarget pod) {
        String host = pod.ip().contains(":") ? "[" + pod.ip() + "]" : pod.ip();
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + host + ":" + pod.port() + pod.path()))
                .timeout(timeout)
                .header("Accept", "text/plain;version=0.0.4, application/openmetrics-text;q=0.5")
                .GET()
                .build();
        // Failing this future (a scrape past its timeout) aborts the exchange: a pod that drips its answer a byte
        // a second does not keep a connection and a buffer per tick.
        CompletableFuture<HttpResponse<String>> exchange =
                client.sendAsync(request, LimitedBody.handler(pod.path(), LimitedBody.MAX_BYTES));
        CompletableFuture<String> body = exchange.thenApply(HttpResponse::body);
        body.whenComplete((ignored, failure) -> {
            if (failure != null) {
                exchange.cancel(true);
            }
        });
        return body;
    }
}
