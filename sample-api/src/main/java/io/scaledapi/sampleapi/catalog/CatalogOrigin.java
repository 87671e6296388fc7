package io.scaledapi.sampleapi.catalog;

import io.scaledapi.sampleapi.cache.Origin;
import io.scaledapi.sampleapi.cache.OriginResponse;
import io.scaledapi.sampleapi.cache.OriginUnavailableException;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The embedded origin: reads of the {@link Catalog} that are slow on purpose. Each read holds one of
 * {@code concurrency} workers for a time drawn from an exponential distribution, like a query holding a
 * database connection; reads beyond the pool wait in a bounded queue.
 */
public final class CatalogOrigin implements Origin<CatalogKey>, AutoCloseable {

    private final long meanLatencyNanos;
    private final ThreadPoolExecutor pool;

    public CatalogOrigin(OriginProperties properties) {
        this.meanLatencyNanos = properties.latency().toNanos();
        BlockingQueue<Runnable> queue =
                properties.queue() == 0 ? new SynchronousQueue<>() : new LinkedBlockingQueue<>(properties.queue());
        AtomicInteger threads = new AtomicInteger();
        this.pool = new ThreadPoolExecutor(
                properties.concurrency(), properties.concurrency(), 0, TimeUnit.SECONDS, queue, task -> {
                    Thread thread = new Thread(task, "origin-" + threads.incrementAndGet());
                    thread.setDaemon(true);
                    return thread;
                });
        pool.prestartAllCoreThreads();
    }

    @Override
    public CompletableFuture<OriginResponse> fetch(CatalogKey key) {
        try {
            return CompletableFuture.supplyAsync(() -> read(key), pool);
        } catch (RejectedExecutionException e) {
            return CompletableFuture.failedFuture(new OriginUnavailableException(
                    "origin overloaded: " + pool.getQueue().size() + " reads already waiting", e));
        }
    }

    private OriginResponse read(CatalogKey key) {
        simulateQueryCost();
        if (key instanceof CatalogKey.Item item) {
            return OriginResponse.json(Catalog.itemJson(item.id()));
        }
        CatalogKey.Page page = (CatalogKey.Page) key;
        return OriginResponse.json(Catalog.pageJson(page.page(), page.size()));
    }

    /** The deliberate cost of a read: an exponential draw with the configured mean. */
    private void simulateQueryCost() {
        if (meanLatencyNanos == 0) {
            return;
        }
        double u = ThreadLocalRandom.current().nextDouble();
        long nanos = (long) (-Math.log1p(-u) * meanLatencyNanos);
        try {
            TimeUnit.NANOSECONDS.sleep(nanos);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new OriginUnavailableException("origin read interrupted (shutting down)");
        }
    }

    /** True once the worker pool runs and until it is shut down. */
    public boolean isRunning() {
        return !pool.isShutdown() && pool.getPoolSize() > 0;
    }

    @Override
    public void close() {
        pool.shutdown();
        try {
            if (!pool.awaitTermination(10, TimeUnit.SECONDS)) {
                pool.shutdownNow();
            }
        } catch (InterruptedException e) {
            pool.shutdownNow();
            Thread.currentThread().interrupt();
        }
    }
}
