package io.scaledapi.sampleapi;

import io.scaledapi.sampleapi.catalog.Catalog;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The warm-up before readiness ({@link StartupWarmup}), bound from {@code WARMUP_REQUESTS}, {@code WARMUP_CONCURRENCY}
 * and {@code WARMUP_TIMEOUT}.
 *
 * @param requests    requests to send before ready; 0 (the default) turns the warm-up off
 * @param concurrency requests in flight at once: 16, as many as the embedded origin's pool serves at once
 *     ({@code ORIGIN_CONCURRENCY}). Each warm-up request is a miss, and a read costs 20 ms: with 4 in flight, 1,000 of
 *     them waited at least 5 s on the origin, and a pod at 400m (the boost) was ready in 9.2 s instead of 6.2 s
 *     (bench/startup.sh, median of 3, 2026-12-01)
 * @param timeout     the bound on the whole warm-up
 */
@ConfigurationProperties("warmup")
public record WarmupProperties(
        @DefaultValue("0") int requests,
        @DefaultValue("16") int concurrency,
        @DefaultValue("30s") Duration timeout) {

    public WarmupProperties {
        if (requests < 0 || requests > Catalog.SIZE) {
            throw new IllegalArgumentException(
                    "WARMUP_REQUESTS must be from 0 to " + Catalog.SIZE + ", got " + requests);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("WARMUP_CONCURRENCY must be at least 1, got " + concurrency);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "WARMUP_TIMEOUT must be a positive duration such as 30s, got " + timeout);
        }
    }
}
