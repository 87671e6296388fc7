package io.scaledapi.sampleapi.relay;

import io.scaledapi.sampleapi.cache.Origin;
import io.scaledapi.sampleapi.cache.OriginResponse;
import io.scaledapi.sampleapi.cache.OriginUnavailableException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Fetches {@code UPSTREAM_URL/path} for the relay. Upstream {@code Cache-Control} is honoured: {@code no-store},
 * {@code no-cache} and {@code private} answers are not kept, {@code max-age} (or {@code s-maxage}) shortens the
 * TTL. 2xx answers are cacheable; 3xx and 4xx are handed on uncached; 5xx and transport errors count as origin
 * failures, so the cache may serve a stale copy instead.
 */
public final class RelayOrigin implements Origin<RelayTarget> {

    private static final Pattern MAX_AGE = Pattern.compile("(?:^|[,\\s])(s-maxage|max-age)\\s*=\\s*\"?(\\d{1,10})\"?");

    private final URI upstream;
    private final Duration timeout;
    private final int maxBodyBytes;
    private final int maxConcurrentFetches;
    private final Semaphore fetches;
    private final HttpClient client;

    public RelayOrigin(UpstreamProperties properties) {
        this.upstream = properties.url();
        this.timeout = properties.timeout();
        this.maxBodyBytes = properties.maxBodyBytes();
        this.maxConcurrentFetches = properties.maxConcurrentFetches();
        this.fetches = new Semaphore(maxConcurrentFetches);
        this.client = HttpClient.newBuilder()
                .connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    @Override
    public CompletableFuture<OriginResponse> fetch(RelayTarget target) {
        HttpRequest request = HttpRequest.newBuilder(target.resolveAgainst(upstream))
                .timeout(timeout)
                .header("Accept", "application/json, */*;q=0.5")
                .GET()
                .build();
        // Distinct keys each cost a fetch (the cache joins only concurrent misses of one key): without a bound,
        // requests for many paths or query strings at once hold that many bodies of up to maxBodyBytes.
        if (!fetches.tryAcquire()) {
            return CompletableFuture.failedFuture(new OriginUnavailableException(
                    "upstream busy: " + maxConcurrentFetches + " fetches in flight (UPSTREAM_MAX_CONCURRENT_FETCHES)"));
        }
        return client.sendAsync(request, BoundedBody.handler(maxBodyBytes))
                .whenComplete((response, failure) -> fetches.release())
                .thenApply(this::toOriginResponse);
    }

    private OriginResponse toOriginResponse(HttpResponse<byte[]> response) {
        int status = response.statusCode();
        if (status >= 500) {
            throw new OriginUnavailableException("upstream answered " + status);
        }
        byte[] body = response.body();
        String contentType = response.headers().firstValue("Content-Type").orElse("application/octet-stream");
        String cacheControl =
                String.join(",", response.headers().allValues("Cache-Control")).toLowerCase(Locale.ROOT);
        boolean cacheable = status >= 200
                && status < 300
                && !cacheControl.contains("no-store")
                && !cacheControl.contains("no-cache")
                && !cacheControl.contains("private");
        return new OriginResponse(
                status, body, contentType, maxAge(cacheControl).orElse(null), cacheable);
    }

    static Optional<Duration> maxAge(String cacheControl) {
        Matcher matcher = MAX_AGE.matcher(cacheControl);
        Duration shortest = null;
        while (matcher.find()) {
            Duration age = Duration.ofSeconds(Long.parseLong(matcher.group(2)));
            shortest = shortest == null || age.compareTo(shortest) < 0 ? age : shortest;
        }
        return Optional.ofNullable(shortest);
    }
}
