package io.scaledapi.sampleapi.cache;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Cache settings, bound from {@code CACHE_TTL}, {@code CACHE_MAX_ENTRIES}, {@code CACHE_STALE_IF_ERROR},
 * {@code CACHE_REFRESH_AHEAD} and {@code CACHE_MAX_BYTES} (or the matching {@code cache.*} properties).
 *
 * @param ttl          how long a response stays fresh
 * @param maxEntries   bound on the number of cached responses, per cache
 * @param staleIfError how long past expiry a response may still be served when the origin fails
 * @param refreshAhead fraction of the TTL after which a read reloads the entry in the background
 * @param maxBytes     bound on the bytes of cached responses, per cache: an upstream answering megabytes for every
 *                     path cannot fill the heap (a 512 MiB pod's heap is about 350 MiB)
 */
@ConfigurationProperties("cache")
public record CacheProperties(
        @DefaultValue("60s") Duration ttl,
        @DefaultValue("10000") long maxEntries,
        @DefaultValue("5m") Duration staleIfError,
        @DefaultValue("0.8") double refreshAhead,
        @DefaultValue("64MB") DataSize maxBytes) {

    public CacheProperties {
        if (ttl == null || ttl.isNegative() || ttl.isZero()) {
            throw new IllegalArgumentException("CACHE_TTL must be a positive duration such as 30s or 5m, got " + ttl);
        }
        if (maxEntries < 1) {
            throw new IllegalArgumentException("CACHE_MAX_ENTRIES must be at least 1, got " + maxEntries);
        }
        if (staleIfError == null || staleIfError.isNegative()) {
            throw new IllegalArgumentException(
                    "CACHE_STALE_IF_ERROR must be zero or a positive duration, got " + staleIfError);
        }
        if (maxBytes == null || maxBytes.toBytes() < 1) {
            throw new IllegalArgumentException("CACHE_MAX_BYTES must be a positive size such as 64MB, got " + maxBytes);
        }
        if (!(refreshAhead > 0 && refreshAhead <= 1)) {
            throw new IllegalArgumentException("CACHE_REFRESH_AHEAD must be in (0, 1], got " + refreshAhead);
        }
    }
}
