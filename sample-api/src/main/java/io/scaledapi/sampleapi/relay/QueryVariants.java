package io.scaledapi.sampleapi.relay;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * How many distinct query strings of one relay path get a cache entry of their own within a TTL
 * ({@code UPSTREAM_MAX_QUERIES_PER_PATH}). Past it a new query string is still relayed, fetched without being
 * stored, so that {@code ?x=1}, {@code ?x=2}, ... cannot push every other entry out of the cache.
 */
public final class QueryVariants {

    /** Paths tracked at once: a bound of its own, so that the tracking cannot grow without one. */
    private static final int MAX_PATHS = 10_000;

    private final int maxPerPath;
    private final Cache<String, Set<String>> admitted;
    private final Counter uncached;

    public QueryVariants(int maxPerPath, Duration ttl, MeterRegistry registry) {
        this.maxPerPath = maxPerPath;
        this.admitted = Caffeine.newBuilder()
                .maximumSize(MAX_PATHS)
                .expireAfterWrite(ttl)
                .build();
        this.uncached = Counter.builder("relay.queries.uncached")
                .description("Relay requests fetched without being cached: their path had too many query strings")
                .register(registry);
    }

    /** Whether this target may have a cache entry; false (and counted) past the bound for its path. */
    public boolean cacheable(RelayTarget target) {
        if (target.query() == null) {
            return true;
        }
        Set<String> queries = admitted.get(target.path(), path -> ConcurrentHashMap.newKeySet());
        if (queries.contains(target.query())) {
            return true;
        }
        if (queries.size() >= maxPerPath) {
            uncached.increment();
            return false;
        }
        queries.add(target.query());
        return true;
    }
}
