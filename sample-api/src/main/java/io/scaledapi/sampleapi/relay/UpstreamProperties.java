package io.scaledapi.sampleapi.relay;

import java.net.URI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Relay mode, bound from {@code UPSTREAM_URL}, {@code UPSTREAM_TIMEOUT}, {@code UPSTREAM_MAX_BODY_BYTES},
 * {@code UPSTREAM_MAX_CONCURRENT_FETCHES} and {@code UPSTREAM_MAX_QUERIES_PER_PATH}.
 * Relay mode is on when the URL is set.
 *
 * @param url          the only upstream ever fetched from: an absolute http(s) URL, optionally with a base path
 * @param timeout      bound on one upstream call, connect to last byte
 * @param maxBodyBytes largest upstream body that is relayed
 * @param maxConcurrentFetches upstream fetches in flight at once; one more fails at once as an origin failure (a
 *                     stale copy, or 503): with {@code maxBodyBytes}, what a burst of distinct paths can hold in memory
 * @param maxQueriesPerPath distinct query strings of one path cached within a TTL; more are relayed uncached
 */
@ConfigurationProperties("upstream")
public record UpstreamProperties(
        URI url,
        @DefaultValue("5s") Duration timeout,
        @DefaultValue("10485760") int maxBodyBytes,
        @DefaultValue("16") int maxConcurrentFetches,
        @DefaultValue("100") int maxQueriesPerPath) {

    public UpstreamProperties {
        if (url != null) {
            String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase();
            if (!(scheme.equals("http") || scheme.equals("https")) || url.getHost() == null) {
                throw new IllegalArgumentException("UPSTREAM_URL must be an absolute http(s) URL, got " + url);
            }
            if (url.getRawQuery() != null || url.getRawFragment() != null || url.getRawUserInfo() != null) {
                throw new IllegalArgumentException("UPSTREAM_URL must not carry a query, fragment or credentials");
            }
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("UPSTREAM_TIMEOUT must be a positive duration, got " + timeout);
        }
        if (maxConcurrentFetches < 1) {
            throw new IllegalArgumentException(
                    "UPSTREAM_MAX_CONCURRENT_FETCHES must be at least 1, got " + maxConcurrentFetches);
        }
        if (maxQueriesPerPath < 1) {
            throw new IllegalArgumentException(
                    "UPSTREAM_MAX_QUERIES_PER_PATH must be at least 1, got " + maxQueriesPerPath);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("UPSTREAM_MAX_BODY_BYTES must be at least 1, got " + maxBodyBytes);
        }
    }

    public boolean enabled() {
        return url != null;
    }
}
