package io.scaledapi.operator.metrics;

import io.scaledapi.autoscaler.PodCounters;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Scrapes many pods at once, with a per-pod timeout and a bound on scrapes in flight, so a thousand pods or a
 * few hanging ones never stall a tick. No thread waits on a pod: a scrape past the bound queues, its fetch completes
 * (or times out) by itself, and its text is parsed on the scraper's pool. Each pod's outcome is its counters or the
 * reason it has none. The bound is shared fairly: queued scrapes start in turn, one owner (a ScaledApi) after
 * another, and no owner holds more than {@link #perOwnerBound} of them, so one resource whose pods all hang cannot
 * take every slot while the others' scrapes time out in the queue.
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

    private record Queued(
            String owner, PodTarget pod, PodCountersReader reader, CompletableFuture<Result> result, long queuedAt) {}

    private final MetricsFetcher fetcher;
    private final Duration timeout;
    private final int parallelism;
    private final int perOwner;
    private final ExecutorService executor;
    /** Owners with queued scrapes, in the order they take their next turn. Guarded by this. */
    private final Map<String, Deque<Queued>> waiting = new LinkedHashMap<>();
    /** Scrapes in flight, in all and per owner. Guarded by this. */
    private int inFlight;

    private final Map<String, Integer> inFlightByOwner = new HashMap<>();

    public PodScraper(MetricsFetcher fetcher, Duration timeout, int parallelism, ExecutorService executor) {
        this.fetcher = fetcher;
        this.timeout = timeout;
        this.parallelism = parallelism;
        this.perOwner = perOwnerBound(parallelism);
        this.executor = executor;
    }

    /**
     * The most scrapes one owner may have in flight: a quarter of the bound, at least 4. Healthy pods answer in
     * milliseconds, so a quarter still scrapes hundreds of an owner's pods per second; hanging ones hold theirs for
     * the whole timeout.
     */
    static int perOwnerBound(int parallelism) {
        return Math.min(parallelism, Math.max(4, parallelism / 4));
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
        return scrape("", pods, reader);
    }

    /** Scrapes {@code pods} on behalf of {@code owner} (a resource's namespace/name): its share of the bound. */
    public CompletableFuture<Map<String, Result>> scrape(String owner, List<PodTarget> pods, PodCountersReader reader) {
        Map<String, CompletableFuture<Result>> futures = new LinkedHashMap<>();
        long now = System.nanoTime();
        synchronized (this) {
            Deque<Queued> queue = waiting.computeIfAbsent(owner, o -> new ArrayDeque<>());
            for (PodTarget pod : pods) {
                CompletableFuture<Result> result = new CompletableFuture<>();
                futures.put(pod.name(), result);
                queue.add(new Queued(owner, pod, reader, result, now));
            }
        }
        startWaiting();
        return CompletableFuture.allOf(futures.values().toArray(CompletableFuture[]::new))
                .thenApply(ignored -> {
                    Map<String, Result> results = new LinkedHashMap<>();
                    futures.forEach((name, f) -> results.put(name, f.join()));
                    return results;
                });
    }

    /**
     * Starts queued scrapes while there is room in flight: one per owner in turn, each owner within its bound. A
     * scrape that waited longer than the timeout is not started: it fails as overloaded.
     */
    private void startWaiting() {
        List<Queued> starting = new ArrayList<>();
        List<Queued> expired = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (this) {
            boolean started = true;
            while (started && inFlight < parallelism) {
                started = false;
                for (String owner : List.copyOf(waiting.keySet())) {
                    if (inFlight >= parallelism) {
                        break;
                    }
                    Deque<Queued> queue = waiting.get(owner);
                    while (!queue.isEmpty() && now - queue.peek().queuedAt() > timeout.toNanos()) {
                        expired.add(queue.poll());
                    }
                    if (!queue.isEmpty() && inFlightByOwner.getOrDefault(owner, 0) < perOwner) {
                        starting.add(queue.poll());
                        inFlight++;
                        inFlightByOwner.merge(owner, 1, Integer::sum);
                        started = true;
                        waiting.remove(owner); // to the back of the turn order
                        if (!queue.isEmpty()) {
                            waiting.put(owner, queue);
                        }
                    } else if (queue.isEmpty()) {
                        waiting.remove(owner);
                    }
                }
            }
        }
        expired.forEach(q -> q.result()
                .complete(Result.failed(ScrapeFailure.OVERLOADED, "not scraped: too many scrapes in flight")));
        starting.forEach(this::start);
    }

    private void finished(String owner) {
        synchronized (this) {
            inFlight--;
            inFlightByOwner.computeIfPresent(owner, (o, n) -> n > 1 ? n - 1 : null);
        }
        startWaiting();
    }

    private void start(Queued scrape) {
        CompletableFuture<String> fetch;
        try {
            fetch = fetcher.fetch(scrape.pod());
        } catch (RuntimeException e) {
            fetch = CompletableFuture.failedFuture(e);
        }
        fetch.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                .handleAsync(
                        (text, failure) -> {
                            finished(scrape.owner());
                            if (failure == null) {
                                try {
                                    return Result.of(scrape.reader().read(text));
                                } catch (RuntimeException e) {
                                    return Result.failed(ScrapeFailure.UNREADABLE, describe(e));
                                }
                            }
                            Throwable cause = failure instanceof CompletionException && failure.getCause() != null
                                    ? failure.getCause()
                                    : failure;
                            ScrapeFailure kind = ScrapeFailure.of(cause);
                            // One problem, one message (it is logged once per message): the client's own timeout says
                            // the same.
                            return Result.failed(
                                    kind,
                                    kind == ScrapeFailure.TIMEOUT
                                            ? "no full answer within " + timeout.toMillis() + " ms"
                                            : cause instanceof ScrapeException ? cause.getMessage() : describe(cause));
                        },
                        executor)
                .whenComplete((result, failure) -> scrape.result()
                        .complete(
                                failure == null
                                        ? result
                                        : Result.failed(ScrapeFailure.of(failure), describe(failure))));
    }

    /**
     * What a failure says in status, events and logs: the scraper's own words, and for anything else only its kind,
     * never the other end's. An HTTP client quotes a bad status line as it came (an SSH banner, say), so a message
     * could otherwise show what answered at a pod's address.
     */
    static String describe(Throwable e) {
        if (e instanceof ScrapeException || e.getClass() == IllegalArgumentException.class) {
            return e.getMessage();
        }
        return switch (ScrapeFailure.of(e)) {
            case CONNECTION -> "no HTTP answer (" + e.getClass().getSimpleName() + ")";
            case TIMEOUT -> "no answer in time";
            case HTTP_STATUS ->
                "the API server refused the scrape (" + e.getClass().getSimpleName() + ")";
            default -> "the scrape failed (" + e.getClass().getSimpleName() + ")";
        };
    }

    @Override
    public void close() {
        executor.shutdownNow();
    }
}
