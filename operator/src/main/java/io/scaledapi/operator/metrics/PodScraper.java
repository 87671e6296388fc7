package io.scaledapi.operator.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

import io.scaledapi.operator.autoscaling.PodCounters;

/**
 * Scrapes many pods at once, with a per-pod timeout and a bound on scrapes in flight, so a thousand pods or a
 * few hanging ones never stall a tick. No thread waits on a pod: a scrape past the bound queues, its fetch completes
 * (or times out) by itself, and its text is parsed on the scraper's pool. Each pod's outcome is its counters or the
 * reason it has none.
 */
public final class PodScraper implements AutoCloseable {

    /** A pod's counters, or why there are none: in words, and its kind. */
    public record Result(PodCounters counters, String failure, ScrapeFailure kind) {

        static Result of(PodCounters counters) {
            return new Result(counters, null, null);
        }

        static Result failed(ScrapeFailure kind, String failure) {
            return new Result(null, failure, kind);
        }
    }

    private record Queued(PodTarget pod, PodCountersReader reader, CompletableFuture<Result> result, long queuedAt) {
    }

    private final MetricsFetcher fetcher;
    private final Duration timeout;
    private final Semaphore inFlight;
    private final Queue<Queued> waiting = new ConcurrentLinkedQueue<>();
    private final ExecutorService executor;

    public PodScraper(MetricsFetcher fetcher, Duration timeout, int parallelism, ExecutorService executor) {
        this.fetcher = fetcher;
        this.timeout = timeout;
        this.inFlight = new Semaphore(parallelism);
        this.executor = executor;
    }

    /** A small thread pool for the scrapes' HTTP clients and parsing. */
    public static ExecutorService newExecutor(int threads) {
        return Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "pod-scraper");
            thread.setDaemon(true);
            return thread;
        });
    }

    public CompletableFuture<Map<String, Result>> scrape(List<PodTarget> pods, PodCountersReader reader) {
        Map<String, CompletableFuture<Result>> futures = new LinkedHashMap<>();
        long now = System.nanoTime();
        for (PodTarget pod : pods) {
            CompletableFuture<Result> result = new CompletableFuture<>();
            futures.put(pod.name(), result);
            waiting.add(new Queued(pod, reader, result, now));
        }
        startWaiting();
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Result> results = new LinkedHashMap<>();
            futures.forEach((name, f) -> results.put(name, f.join()));
            return results;
        });
    }

    /** Starts queued scrapes while there is room in flight. */
    private void startWaiting() {
        while (!waiting.isEmpty() && inFlight.tryAcquire()) {
            Queued next = waiting.poll();
            if (next == null) {
                inFlight.release();
                continue;
            }
            if (System.nanoTime() - next.queuedAt() > timeout.toNanos()) {
                inFlight.release();
                next.result().complete(Result.failed(ScrapeFailure.OVERLOADED, "not scraped: too many scrapes in flight"));
                continue;
            }
            start(next);
        }
    }

    private void start(Queued scrape) {
        CompletableFuture<String> fetch;
        try {
            fetch = fetcher.fetch(scrape.pod());
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).handleAsync((text, failure) -> {
            inFlight.release();
            startWaiting();
            if (failure == null) {
                try {
                    return Result.of(scrape.reader().read(text));
                } catch (RuntimeException e) {
                    return Result.failed(ScrapeFailure.UNREADABLE, describe(e));
                }
            }
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            ScrapeFailure kind = ScrapeFailure.of(cause);
            // One problem, one message (it is logged once per message): the client's own timeout says the same.
            return Result.failed(kind, kind == ScrapeFailure.TIMEOUT ? "no full answer within " + timeout.toMillis() + " ms"
                    : cause instanceof ScrapeException ? cause.getMessage() : describe(cause));
        }, executor).whenComplete((result, failure) -> scrape.result().complete(
                failure == null ? result : Result.failed(ScrapeFailure.of(failure), describe(failure))));
    }

    private static String describe(Throwable e) {
        return e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
