package io.scaledapi.sampleapi.catalog;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The embedded origin, bound from {@code ORIGIN_LATENCY}, {@code ORIGIN_CONCURRENCY} and {@code ORIGIN_QUEUE}.
 *
 * @param latency     mean of the exponentially distributed cost of one read
 * @param concurrency reads served at once, like a database connection pool
 * @param queue       reads that may wait for the pool; past that a read fails fast, as an overloaded database would
 */
@ConfigurationProperties("origin")
public record OriginProperties(
        @DefaultValue("20ms") Duration latency,
        @DefaultValue("16") int concurrency,
        @DefaultValue("10000") int queue) {

    public OriginProperties {
        if (latency == null || latency.isNegative()) {
            throw new IllegalArgumentException("ORIGIN_LATENCY must be zero or a positive duration, got " + latency);
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("ORIGIN_CONCURRENCY must be at least 1, got " + concurrency);
        }
        if (queue < 0) {
            throw new IllegalArgumentException("ORIGIN_QUEUE must be zero or more, got " + queue);
        }
    }
}
