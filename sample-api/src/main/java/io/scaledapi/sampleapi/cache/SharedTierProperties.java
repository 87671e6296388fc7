package io.scaledapi.sampleapi.cache;

import io.lettuce.core.RedisURI;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The shared tier, bound from {@code REDIS_URL}, {@code REDIS_PASSWORD}, {@code REDIS_TIMEOUT},
 * {@code REDIS_KEY_PREFIX}, {@code REDIS_MAX_VALUE} and {@code REDIS_HOT_KEYS_INTERVAL}.
 *
 * @param url             {@code redis://[:password@]host:port[/db]} (or {@code rediss://}); empty turns the tier off
 * @param password        Redis's password, kept out of the URL so that each can come from a Secret of its own
 *                        ({@code secretKeyRef}); when set it wins over one in the URL; never logged
 * @param timeout         the longest a lookup waits for Redis before it goes to the origin
 * @param keyPrefix       put before every key, so that several APIs can share one Redis
 * @param maxValue        responses larger than this are not stored in the shared tier
 * @param hotKeysInterval how often a pod publishes its hottest keys for new pods ({@code CACHE_WARM_KEYS})
 */
@ConfigurationProperties("redis")
public record SharedTierProperties(
        @DefaultValue("") String url,
        @DefaultValue("") String password,
        @DefaultValue("5ms") Duration timeout,
        @DefaultValue("sample-api:") String keyPrefix,
        @DefaultValue("1MB") DataSize maxValue,
        @DefaultValue("10s") Duration hotKeysInterval) {

    public SharedTierProperties {
        if (url != null && !url.isBlank() && !url.startsWith("redis://") && !url.startsWith("rediss://")) {
            // Never echo the URL: it may hold a password.
            throw new IllegalArgumentException("REDIS_URL must start with redis:// or rediss://");
        }
        if (url != null && !url.isBlank()) {
            try {
                RedisURI.create(url);
            } catch (RuntimeException e) {
                // Not chained: the parser's message quotes the URL, password and all.
                throw new IllegalArgumentException(
                        "REDIS_URL is not a valid Redis URL: redis://[:password@]host[:port][/database]");
            }
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException("REDIS_TIMEOUT must be a positive duration such as 5ms, got " + timeout);
        }
        if (maxValue == null || maxValue.toBytes() < 1) {
            throw new IllegalArgumentException("REDIS_MAX_VALUE must be a positive size such as 1MB, got " + maxValue);
        }
        if (hotKeysInterval == null || hotKeysInterval.isNegative() || hotKeysInterval.isZero()) {
            throw new IllegalArgumentException(
                    "REDIS_HOT_KEYS_INTERVAL must be a positive duration, got " + hotKeysInterval);
        }
    }

    @Override
    public String toString() {
        // The record's own toString would print the password.
        return "SharedTierProperties[timeout=" + timeout + ", keyPrefix=" + keyPrefix + ", maxValue=" + maxValue + "]";
    }

    public boolean enabled() {
        return url != null && !url.isBlank();
    }
}
