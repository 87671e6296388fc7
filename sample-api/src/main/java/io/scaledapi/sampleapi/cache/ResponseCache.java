package io.scaledapi.sampleapi.cache;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.cache.CaffeineCacheMetrics;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A TTL cache of whole responses in front of an {@link Origin}, with an optional {@link SharedTier} between the two:
 * a load asks the shared tier first and the origin only when it has nothing fresh enough, then stores the origin's
 * answer there for the other pods, with the freshness it has left.
 * <ul>
 * <li>One origin load per key at a time: concurrent misses join the load in flight (Caffeine's async cache).</li>
 * <li>Refresh ahead: a read past {@code refreshAhead} of the TTL reloads in the background, so keys that are
 * still being read never expire under their readers.</li>
 * <li>Stale if error: an entry is kept for {@code staleIfError} past its TTL; a read of an expired entry
 * reloads it and, if the origin fails, gets the old bytes marked {@link CacheOutcome#STALE}.</li>
 * </ul>
 */
public final class ResponseCache<K> {

    private static final Logger log = LoggerFactory.getLogger(ResponseCache.class);
    private static final long ORIGIN_WARNING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(10);

    /** The result of a lookup: the response and how it was served. */
    public record Lookup(CachedResponse response, CacheOutcome outcome, CacheSource source) {

        static Lookup loaded(CachedResponse response) {
            return response.loadedFrom() == CacheSource.SHARED
                    ? new Lookup(response, CacheOutcome.HIT, CacheSource.SHARED)
                    : new Lookup(response, CacheOutcome.MISS, CacheSource.ORIGIN);
        }
    }

    private final String name;
    private final Origin<K> origin;
    private final SharedTier shared;
    private final KeyCodec<K> keys;
    private final Ticker ticker;
    private final long ttlNanos;
    private final long staleIfErrorNanos;
    private final double refreshAhead;
    private final AsyncLoadingCache<K, CachedResponse> cache;
    private final Timer originSuccess;
    private final Timer originFailure;
    private final Counter staleServed;
    private final AtomicLong lastOriginWarning = new AtomicLong(Long.MIN_VALUE);

    public ResponseCache(
            String name, Origin<K> origin, CacheProperties properties, Ticker ticker, MeterRegistry registry) {
        this(name, origin, SharedTier.NONE, null, properties, ticker, registry);
    }

    /** @param keys the keys' text form, for the shared tier; unused when {@code shared} is {@link SharedTier#NONE} */
    public ResponseCache(
            String name,
            Origin<K> origin,
            SharedTier shared,
            KeyCodec<K> keys,
            CacheProperties properties,
            Ticker ticker,
            MeterRegistry registry) {
        this.name = name;
        this.origin = origin;
        this.shared = shared;
        this.keys = keys;
        this.ticker = ticker;
        this.ttlNanos = properties.ttl().toNanos();
        this.staleIfErrorNanos = properties.staleIfError().toNanos();
        this.refreshAhead = properties.refreshAhead();
        this.cache = Caffeine.newBuilder()
                .ticker(ticker)
                // Each entry weighs its bytes, and at least maxBytes / maxEntries: at most maxEntries entries and
                // at most maxBytes bytes, whichever binds first (Caffeine takes one bound, so both become one).
                .maximumWeight(properties.maxBytes().toBytes())
                .weigher(new SizeWeigher<K>(properties.maxBytes().toBytes() / properties.maxEntries()))
                .expireAfter(new StaleBoundExpiry())
                .recordStats()
                .buildAsync((K key, Executor executor) -> load(key));
        CaffeineCacheMetrics.monitor(registry, cache, name);
        io.micrometer.core.instrument.Gauge.builder("cache.bytes", this, ResponseCache::weightedBytes)
                .description(
                        "What the cached responses weigh: bytes, each entry at least CACHE_MAX_BYTES / CACHE_MAX_ENTRIES")
                .baseUnit("bytes")
                .tag("cache", name)
                .register(registry);
        this.originSuccess = originTimer(registry, "success");
        this.originFailure = originTimer(registry, "error");
        this.staleServed = Counter.builder("cache.stale.served")
                .description("Responses served stale because the origin failed")
                .tag("cache", name)
                .register(registry);
    }

    private Timer originTimer(MeterRegistry registry, String outcome) {
        return Timer.builder("origin.requests")
                .description("Calls from the cache to its origin")
                .tag("cache", name)
                .tag("outcome", outcome)
                .register(registry);
    }

    /** Looks a key up; the future fails with {@link OriginUnavailableException} when there is nothing to serve. */
    public CompletableFuture<Lookup> lookup(K key) {
        boolean[] loadedHere = {false};
        CompletableFuture<CachedResponse> entry = cache.get(key, (k, executor) -> {
            loadedHere[0] = true;
            return load(k);
        });
        if (loadedHere[0] || !entry.isDone()) {
            return entry.thenApply(Lookup::loaded);
        }
        CachedResponse cached = entry.join();
        long now = ticker.read();
        if (cached.isFresh(now)) {
            if (cached.refreshDue(now, refreshAhead)) {
                cache.synchronous().refresh(key);
            }
            return CompletableFuture.completedFuture(new Lookup(cached, CacheOutcome.HIT, CacheSource.LOCAL));
        }
        // Expired but still within the stale-if-error bound (the cache evicts it after that). Concurrent
        // readers share one reload: Caffeine coalesces refreshes of a key.
        return cache.synchronous().refresh(key).handle((reloaded, failure) -> {
            if (failure == null && reloaded != null) {
                return Lookup.loaded(reloaded);
            }
            if (cached.isServableStale(ticker.read())) {
                staleServed.increment();
                return new Lookup(cached, CacheOutcome.STALE, CacheSource.LOCAL);
            }
            throw unavailable(key, failure);
        });
    }

    /** The origin's answer, fetched past this cache and not stored in it (a key the caller will not let in). */
    public CompletableFuture<Lookup> lookupUncached(K key) {
        return loadFromOrigin(key).thenApply(response -> new Lookup(response, CacheOutcome.MISS, CacheSource.ORIGIN));
    }

    private CompletableFuture<CachedResponse> load(K key) {
        if (!shared.enabled()) {
            return loadFromOrigin(key);
        }
        String sharedKey = sharedKey(key);
        return shared.get(sharedKey).thenCompose(entry -> {
            if (entry != null) {
                long now = ticker.read();
                CachedResponse found = CachedResponse.of(entry, now, ttlNanos, staleIfErrorNanos);
                // A copy already due for refresh would only be reloaded again on the next read: take the origin's.
                if (!found.refreshDue(now, refreshAhead)) {
                    return CompletableFuture.completedFuture(found);
                }
            }
            return loadFromOrigin(key).thenApply(loaded -> {
                if (loaded.storable()) {
                    long now = ticker.read();
                    shared.put(sharedKey, loaded.toShared(now), loaded.millisLeft(now));
                }
                return loaded;
            });
        });
    }

    private String sharedKey(K key) {
        return sharedKey(keys.encode(key));
    }

    private String sharedKey(String keyText) {
        return name + ":" + keyText;
    }

    private CompletableFuture<CachedResponse> loadFromOrigin(K key) {
        long start = ticker.read();
        CompletableFuture<OriginResponse> call;
        try {
            call = origin.fetch(key);
        } catch (RuntimeException e) {
            call = CompletableFuture.failedFuture(e);
        }
        return call.handle((response, failure) -> {
            long end = ticker.read();
            if (failure != null) {
                originFailure.record(end - start, TimeUnit.NANOSECONDS);
                warnOriginFailure(key, failure, end);
                throw unavailable(key, failure);
            }
            originSuccess.record(end - start, TimeUnit.NANOSECONDS);
            return CachedResponse.of(response, end, ttlNanos, staleIfErrorNanos);
        });
    }

    private OriginUnavailableException unavailable(K key, Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof OriginUnavailableException e) {
            return e;
        }
        return new OriginUnavailableException(
                "origin of cache '" + name + "' failed for " + key + (cause == null ? "" : ": " + cause.getMessage()),
                cause);
    }

    /** One warning per interval while the origin fails, so an outage does not flood the log. */
    private void warnOriginFailure(K key, Throwable failure, long now) {
        long last = lastOriginWarning.get();
        if ((last == Long.MIN_VALUE || now - last >= ORIGIN_WARNING_INTERVAL_NANOS)
                && lastOriginWarning.compareAndSet(last, now)) {
            log.warn(
                    "cache={} origin failed for key={}: {} (serving stale copies where there are any; next warning in 10s at most)",
                    name,
                    key,
                    failure.getMessage());
        } else if (log.isDebugEnabled()) {
            log.debug("cache={} origin failed for key={}: {}", name, key, failure.getMessage());
        }
    }

    /** The name of this cache, as in its metrics. */
    public String name() {
        return name;
    }

    /** Whether loads go through a shared tier. */
    public boolean shared() {
        return shared.enabled();
    }

    /**
     * Up to {@code limit} keys, those the cache would keep longest first (Caffeine's W-TinyLFU ranks by recent
     * frequency), in their text form: what a new pod should load first.
     */
    public List<String> hottestKeys(int limit) {
        return cache.synchronous()
                .policy()
                .eviction()
                .map(eviction -> eviction.hottest(limit).keySet().stream()
                        .map(keys::encode)
                        .toList())
                .orElse(List.of());
    }

    /**
     * Loads entries from the shared tier into this cache, for a new pod before it takes traffic; returns how many it
     * loaded. Keys it cannot read back, and entries the shared tier no longer holds fresh, are skipped.
     */
    public CompletableFuture<Integer> warmFromShared(List<String> hotKeys) {
        Map<String, K> wanted = new LinkedHashMap<>();
        for (String text : hotKeys) {
            K key = keys.decode(text);
            if (key != null) {
                wanted.put(sharedKey(text), key);
            }
        }
        return shared.getAll(List.copyOf(wanted.keySet())).thenApply(found -> {
            int loaded = 0;
            long now = ticker.read();
            for (Map.Entry<String, SharedEntry> entry : found.entrySet()) {
                CachedResponse response = CachedResponse.of(entry.getValue(), now, ttlNanos, staleIfErrorNanos);
                if (response.isFresh(now)) {
                    cache.put(wanted.get(entry.getKey()), CompletableFuture.completedFuture(response));
                    loaded++;
                }
            }
            return loaded;
        });
    }

    /** What the entries held weigh (bytes, each at least maxBytes / maxEntries), for tests and diagnostics. */
    public long weightedBytes() {
        return cache.synchronous()
                .policy()
                .eviction()
                .flatMap(eviction -> {
                    java.util.OptionalLong weighted = eviction.weightedSize();
                    return weighted.isPresent()
                            ? java.util.Optional.of(weighted.getAsLong())
                            : java.util.Optional.<Long>empty();
                })
                .orElse(0L);
    }

    /** Number of entries held, for tests and diagnostics. */
    public long size() {
        return cache.synchronous().estimatedSize();
    }

    /** A response's weight: its body and a fixed allowance for the entry itself, never less than {@code least}. */
    private record SizeWeigher<K>(long least) implements com.github.benmanes.caffeine.cache.Weigher<K, CachedResponse> {
        private static final int ENTRY_OVERHEAD = 256;

        @Override
        public int weigh(K key, CachedResponse value) {
            long bytes = (long) value.body().length + ENTRY_OVERHEAD;
            return (int) Math.min(Integer.MAX_VALUE, Math.max(least, bytes));
        }
    }

    /** Keeps each entry until its stale-if-error bound; responses that may not be stored expire at once. */
    private static final class StaleBoundExpiry implements Expiry<Object, CachedResponse> {
        @Override
        public long expireAfterCreate(Object key, CachedResponse value, long currentTime) {
            return Math.max(0, value.staleUntilNanos() - currentTime);
        }

        @Override
        public long expireAfterUpdate(Object key, CachedResponse value, long currentTime, long currentDuration) {
            return expireAfterCreate(key, value, currentTime);
        }

        @Override
        public long expireAfterRead(Object key, CachedResponse value, long currentTime, long currentDuration) {
            return currentDuration;
        }
    }
}
