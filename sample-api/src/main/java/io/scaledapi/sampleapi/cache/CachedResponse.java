package io.scaledapi.sampleapi.cache;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.concurrent.TimeUnit;

/**
 * A response as the cache keeps it: the bytes, a precomputed strong ETag, and the times (on the cache's
 * ticker, in nanoseconds) until which it is fresh and until which it may still be served stale, and the tier it
 * was loaded from.
 */
public record CachedResponse(
        int status,
        byte[] body,
        String contentType,
        String etag,
        long loadedAtNanos,
        long freshUntilNanos,
        long staleUntilNanos,
        CacheSource loadedFrom) {

    static CachedResponse of(OriginResponse origin, long nowNanos, long ttlNanos, long staleIfErrorNanos) {
        long fresh = origin.cacheable() ? ttlNanos : 0;
        if (origin.cacheable() && origin.maxAge() != null) {
            fresh = Math.min(fresh, origin.maxAge().toNanos());
        }
        long stale = fresh > 0 ? staleIfErrorNanos : 0;
        return new CachedResponse(
                origin.status(),
                origin.body(),
                origin.contentType(),
                etagOf(origin.body()),
                nowNanos,
                nowNanos + fresh,
                nowNanos + fresh + stale,
                CacheSource.ORIGIN);
    }

    /**
     * An entry read from the shared tier: what is left of its freshness, and its age since the origin answered. Both
     * are capped at this API's own TTL, whatever expiry the shared tier holds: a planted key with a year's expiry is
     * fresh here for one TTL at most.
     */
    static CachedResponse of(SharedEntry shared, long nowNanos, long ttlNanos, long staleIfErrorNanos) {
        long fresh = Math.min(ttlNanos, TimeUnit.MILLISECONDS.toNanos(shared.freshMillisLeft()));
        long age = Math.max(0, Math.min(ttlNanos, TimeUnit.MILLISECONDS.toNanos(shared.ttlMillis())) - fresh);
        return new CachedResponse(
                shared.status(),
                shared.body(),
                shared.contentType(),
                etagOf(shared.body()),
                nowNanos - age,
                nowNanos + fresh,
                nowNanos + fresh + staleIfErrorNanos,
                CacheSource.SHARED);
    }

    /** This entry for the shared tier. */
    SharedEntry toShared(long nowNanos) {
        return new SharedEntry(
                status,
                contentType,
                body,
                TimeUnit.NANOSECONDS.toMillis(freshUntilNanos - loadedAtNanos),
                millisLeft(nowNanos));
    }

    long millisLeft(long nowNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toMillis(freshUntilNanos - nowNanos));
    }

    /** Whether the cache may keep this response at all. */
    public boolean storable() {
        return freshUntilNanos > loadedAtNanos;
    }

    public boolean isFresh(long nowNanos) {
        return nowNanos - freshUntilNanos < 0;
    }

    public boolean isServableStale(long nowNanos) {
        return nowNanos - staleUntilNanos < 0;
    }

    /** Whether a read at this time should start a background reload, so hot keys never expire under readers. */
    boolean refreshDue(long nowNanos, double refreshAhead) {
        long ttl = freshUntilNanos - loadedAtNanos;
        return ttl > 0 && nowNanos - loadedAtNanos >= (long) (ttl * refreshAhead);
    }

    /** Whole seconds of freshness left, for {@code Cache-Control: max-age}. */
    public long secondsLeft(long nowNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toSeconds(freshUntilNanos - nowNanos));
    }

    public long ageSeconds(long nowNanos) {
        return Math.max(0, TimeUnit.NANOSECONDS.toSeconds(nowNanos - loadedAtNanos));
    }

    private static String etagOf(byte[] body) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(body);
            return '"'
                    + Base64.getUrlEncoder()
                            .withoutPadding()
                            .encodeToString(digest)
                            .substring(0, 22)
                    + '"';
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
