package io.scaledapi.sampleapi.web;

import com.github.benmanes.caffeine.cache.Ticker;
import io.scaledapi.sampleapi.cache.CacheOutcome;
import io.scaledapi.sampleapi.cache.CachedResponse;
import io.scaledapi.sampleapi.cache.OriginUnavailableException;
import io.scaledapi.sampleapi.cache.ResponseCache;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/**
 * Turns a cache lookup into a response: {@code X-Cache} ({@code HIT} from either cache tier, {@code MISS} from the
 * origin, {@code STALE}), {@code X-Cache-Source} ({@code local}, {@code shared} or {@code origin}), {@code ETag}, {@code Cache-Control} with the seconds
 * of freshness left, {@code Age}, and 304 for a matching {@code If-None-Match}.
 */
public final class CachedResponses {

    public static final String X_CACHE = "X-Cache";
    public static final String X_CACHE_SOURCE = "X-Cache-Source";

    private final Ticker ticker;

    public CachedResponses(Ticker ticker) {
        this.ticker = ticker;
    }

    /** The response for a key; a failed origin with nothing stale to serve gives a 502 problem. */
    public <K> CompletableFuture<ApiResponse> serve(
            ResponseCache<K> cache, K key, List<String> ifNoneMatch, String path) {
        return respond(cache.lookup(key), ifNoneMatch, path);
    }

    /** As {@link #serve}, fetched from the origin without being stored. */
    public <K> CompletableFuture<ApiResponse> serveUncached(
            ResponseCache<K> cache, K key, List<String> ifNoneMatch, String path) {
        return respond(cache.lookupUncached(key), ifNoneMatch, path);
    }

    private CompletableFuture<ApiResponse> respond(
            CompletableFuture<ResponseCache.Lookup> lookup, List<String> ifNoneMatch, String path) {
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            return CompletableFuture.completedFuture(toResponse(lookup.join(), ifNoneMatch)); // a hit: no hop
        }
        return lookup.handle((found, failure) -> {
            if (failure == null) {
                return toResponse(found, ifNoneMatch);
            }
            Throwable cause =
                    failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof OriginUnavailableException) {
                return ApiResponse.problem(
                        502,
                        "Bad Gateway",
                        "the origin could not answer and no stale copy is cached: " + cause.getMessage(),
                        path);
            }
            throw new CompletionException(cause);
        });
    }

    ApiResponse toResponse(ResponseCache.Lookup lookup, List<String> ifNoneMatch) {
        CachedResponse response = lookup.response();
        long now = ticker.read();
        CacheOutcome outcome = lookup.outcome();
        boolean stored = response.storable();
        String cacheControl = !stored
                ? "no-store"
                : outcome == CacheOutcome.STALE ? "max-age=0, stale-if-error" : "max-age=" + response.secondsLeft(now);
        List<Map.Entry<String, String>> headers = new ArrayList<>(5);
        headers.add(Map.entry(X_CACHE, outcome.name()));
        headers.add(Map.entry(X_CACHE_SOURCE, lookup.source().headerValue()));
        headers.add(Map.entry("ETag", response.etag()));
        headers.add(Map.entry("Cache-Control", cacheControl));
        if (outcome != CacheOutcome.MISS) {
            headers.add(Map.entry("Age", Long.toString(response.ageSeconds(now))));
        }
        if (stored && response.status() == 200 && matches(ifNoneMatch, response.etag())) {
            return new ApiResponse(304, null, null, headers);
        }
        return new ApiResponse(response.status(), response.contentType(), response.body(), headers);
    }

    /** RFC 9110 13.1.2: weak comparison, a list of tags, or {@code *}. */
    static boolean matches(List<String> ifNoneMatch, String etag) {
        for (String header : ifNoneMatch) {
            for (String candidate : header.split(",")) {
                String tag = candidate.trim();
                if (tag.equals("*")) {
                    return true;
                }
                if (tag.startsWith("W/")) {
                    tag = tag.substring(2);
                }
                if (tag.equals(etag)) {
                    return true;
                }
            }
        }
        return false;
    }
}
