package io.scaledapi.sampleapi.cache;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * New pods start warm ({@code CACHE_WARM_KEYS=N}): every running pod publishes its N hottest keys to the shared tier
 * every {@code REDIS_HOT_KEYS_INTERVAL}, and a new pod, before it reports ready, reads that list and loads those
 * entries from the shared tier (never from the origin, which a fleet that is short of capacity can least spare).
 * The hot keys come from the shared tier rather than from a peer: a pod has no way to find its peers without API
 * access or a headless Service, and its peers are at their busiest exactly when a new pod starts.
 */
public final class CacheWarmStart implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(CacheWarmStart.class);

    /** Longer than the Redis client's command timeout (1 s), so that a publication ends before this wait does. */
    private static final Duration PUBLISH_WAIT = Duration.ofSeconds(2);

    private final WarmStartProperties settings;
    private final SharedTier shared;
    private final List<ResponseCache<?>> caches;
    private final ScheduledExecutorService publisher;

    public CacheWarmStart(
            WarmStartProperties settings, SharedTier shared, Duration publishInterval, List<ResponseCache<?>> caches) {
        this.settings = settings;
        this.shared = shared;
        this.caches = caches.stream().filter(ResponseCache::shared).toList();
        if (settings.keys() > 0 && !shared.enabled()) {
            log.warn(
                    "CACHE_WARM_KEYS={} has no effect without a shared tier (REDIS_URL): new pods start cold",
                    settings.keys());
        }
        if (settings.keys() > 0 && shared.enabled()) {
            publisher = Executors.newSingleThreadScheduledExecutor(runnable -> {
                Thread thread = new Thread(runnable, "hot-keys-publisher");
                thread.setDaemon(true);
                return thread;
            });
            long period = publishInterval.toMillis();
            publisher.scheduleWithFixedDelay(this::publish, period, period, TimeUnit.MILLISECONDS);
        } else {
            publisher = null;
        }
    }

    private void publish() {
        try {
            for (ResponseCache<?> cache : caches) {
                List<String> hottest = cache.hottestKeys(settings.keys());
                if (!hottest.isEmpty()) {
                    // Waited for, so that close() leaves no write in flight that lands after it.
                    shared.publishHotKeys(cache.name(), hottest).get(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            log.debug("publishing hot keys failed: {}", e.toString());
        }
    }

    /** Loads the hot keys into each cache, bounded by {@code CACHE_WARM_TIMEOUT}; returns the entries loaded. */
    public int warm() {
        if (publisher == null) {
            return 0;
        }
        long start = System.nanoTime();
        long deadline = start + settings.timeout().toNanos();
        int loaded = 0;
        int wanted = 0;
        for (ResponseCache<?> cache : caches) {
            try {
                List<String> hot = shared.hotKeys(cache.name()).get(remaining(deadline), TimeUnit.NANOSECONDS);
                List<String> first = hot.subList(0, Math.min(settings.keys(), hot.size()));
                wanted += first.size();
                loaded += cache.warmFromShared(first).get(remaining(deadline), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                log.warn(
                        "warm start stopped at CACHE_WARM_TIMEOUT ({}) with {} entries loaded; becoming ready anyway",
                        settings.timeout(),
                        loaded);
                return loaded;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return loaded;
            } catch (java.util.concurrent.ExecutionException e) {
                log.warn(
                        "warm start of cache '{}' failed ({}); becoming ready with what was loaded",
                        cache.name(),
                        e.getCause());
            }
        }
        log.info(
                "warm start: loaded {} of {} published hot keys from the shared tier in {} ms",
                loaded,
                wanted,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
        return loaded;
    }

    private static long remaining(long deadline) {
        return Math.max(0, deadline - System.nanoTime());
    }

    /** Stops publishing; returns once a publication in progress has finished (bounded). */
    @Override
    public void close() {
        if (publisher != null) {
            publisher.shutdown();
            try {
                if (!publisher.awaitTermination(PUBLISH_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                    publisher.shutdownNow();
                }
            } catch (InterruptedException e) {
                publisher.shutdownNow();
                Thread.currentThread().interrupt();
            }
        }
    }
}
