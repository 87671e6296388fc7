package io.scaledapi.sampleapi.web;

import java.util.List;

import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.github.benmanes.caffeine.cache.Ticker;

import io.scaledapi.sampleapi.cache.CacheOutcome;
import io.scaledapi.sampleapi.cache.CachedResponse;
import io.scaledapi.sampleapi.cache.OriginUnavailableException;
import io.scaledapi.sampleapi.cache.ResponseCache;

import reactor.core.publisher.Mono;

/**
 * Turns a cache lookup into an HTTP response: {@code X-Cache}, {@code ETag}, {@code Cache-Control} with the
 * seconds of freshness left, {@code Age}, and 304 for a matching {@code If-None-Match}.
 */
public final class CachedResponseWriter {

    public static final String X_CACHE = "X-Cache";

    private final Ticker ticker;

    public CachedResponseWriter(Ticker ticker) {
        this.ticker = ticker;
    }

    public <K> Mono<ServerResponse> serve(ServerRequest request, ResponseCache<K> cache, K key) {
        var lookup = cache.lookup(key);
        if (lookup.isDone() && !lookup.isCompletedExceptionally()) {
            return write(request, lookup.join()); // the hot path: a hit, no reactive hop
        }
        return Mono.fromFuture(lookup)
                .flatMap(found -> write(request, found))
                .onErrorResume(OriginUnavailableException.class, e -> ProblemResponses.respond(HttpStatus.BAD_GATEWAY,
                        "the origin could not answer and no stale copy is cached: " + e.getMessage(),
                        request.path()));
    }

    private Mono<ServerResponse> write(ServerRequest request, ResponseCache.Lookup lookup) {
        CachedResponse response = lookup.response();
        long now = ticker.read();
        CacheOutcome outcome = lookup.outcome();
        boolean stored = response.storable();
        String cacheControl = !stored ? "no-store"
                : outcome == CacheOutcome.STALE ? "max-age=0, stale-if-error"
                : "max-age=" + response.secondsLeft(now);
        if (stored && response.status() == 200 && matches(request.headers().header(HttpHeaders.IF_NONE_MATCH), response.etag())) {
            return ServerResponse.status(HttpStatus.NOT_MODIFIED)
                    .header(X_CACHE, outcome.name())
                    .header(HttpHeaders.ETAG, response.etag())
                    .header(HttpHeaders.CACHE_CONTROL, cacheControl)
                    .build();
        }
        ServerResponse.BodyBuilder builder = ServerResponse.status(response.status())
                .header(X_CACHE, outcome.name())
                .header(HttpHeaders.ETAG, response.etag())
                .header(HttpHeaders.CACHE_CONTROL, cacheControl)
                .header(HttpHeaders.CONTENT_TYPE, response.contentType());
        if (outcome != CacheOutcome.MISS) {
            builder.header(HttpHeaders.AGE, Long.toString(response.ageSeconds(now)));
        }
        return builder.bodyValue(response.body());
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
