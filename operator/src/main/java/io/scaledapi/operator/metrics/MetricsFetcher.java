package io.scaledapi.operator.metrics;

import java.util.concurrent.CompletableFuture;

/** Fetches one pod's metrics text: directly, or through the API server's pod proxy. */
public interface MetricsFetcher {

    CompletableFuture<String> fetch(PodTarget pod);
}
