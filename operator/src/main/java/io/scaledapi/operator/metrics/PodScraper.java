package io.scaledapi.operator.metrics;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import io.scaledapi.operator.autoscaling.PodCounters;

/**
 * Scrapes many pods at once, with a per-pod timeout and a bound on scrapes in flight, so a thousand pods or a
 * few hanging ones never stall a tick. Each pod's outcome is its counters or the reason it has none.
 */
public final class PodScraper implements AutoCloseable {

    /** A pod's counters, or why there are none. */
    public record Result(PodCounters counters, String failure) {
    }

    private final MetricsFetcher fetcher;
    private final Duration timeout;
    private final Semaphore inFlight;
    private final ExecutorService executor;

    public PodScraper(MetricsFetcher fetcher, Duration timeout, int parallelism, ExecutorService executor) {
        this.fetcher = fetcher;
        this.timeout = timeout;
        this.inFlight = new Semaphore(parallelism);
        this.executor = executor;
    }

    /** A scraper with its own small thread pool, choosing direct or proxy scraping. */
    public static ExecutorService newExecutor(int threads) {
        return Executors.newFixedThreadPool(threads, runnable -> {
            Thread thread = new Thread(runnable, "pod-scraper");
            thread.setDaemon(true);
            return thread;
        });
    }

    public CompletableFuture<Map<String, Result>> scrape(List<PodTarget> pods, PodCountersReader reader) {
        Map<String, CompletableFuture<Result>> futures = new LinkedHashMap<>();
        for (PodTarget pod : pods) {
            futures.put(pod.name(), scrapeOne(pod, reader));
        }
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new)).thenApply(ignored -> {
            Map<String, Result> results = new LinkedHashMap<>();
            futures.forEach((name, f) -> results.put(name, f.join()));
            return results;
        });
    }

    private CompletableFuture<Result> scrapeOne(PodTarget pod, PodCountersReader reader) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                if (!inFlight.tryAcquire(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                    return new Result(null, "not scraped: too many scrapes in flight");
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(null, "interrupted");
            }
            try {
                String text = fetcher.fetch(pod).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
                return new Result(reader.read(text), null);
            } catch (TimeoutException e) {
                return new Result(null, "no answer within " + timeout.toMillis() + " ms");
            } catch (Exception e) {
                Throwable cause = e instanceof java.util.concurrent.ExecutionException || e instanceof CompletionException
                        ? e.getCause() : e;
                return new Result(null, cause.getClass().getSimpleName() + ": " + cause.getMessage());
            } finally {
                inFlight.release();
            }
        }, executor);
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
