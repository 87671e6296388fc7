package io.scaledapi.sampleapi.cache;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Warm start from the shared tier, bound from {@code CACHE_WARM_KEYS} and {@code CACHE_WARM_TIMEOUT}.
 *
 * @param keys    the hottest keys a new pod loads before it reports ready, and the number running pods publish;
 *                0 (the default) turns warm start off
 * @param timeout the bound on the load; past it the pod becomes ready anyway and says so
 */
@ConfigurationProperties("cache.warm")
public record WarmStartProperties(
        @DefaultValue("0") int keys, @DefaultValue("10s") Duration timeout) {

    public static final int MAX_KEYS = 100_000;

    public WarmStartProperties {
        if (keys < 0 || keys > MAX_KEYS) {
            throw new IllegalArgumentException("CACHE_WARM_KEYS must be from 0 to " + MAX_KEYS + ", got " + keys);
        }
        if (timeout == null || timeout.isNegative() || timeout.isZero()) {
            throw new IllegalArgumentException(
                    "CACHE_WARM_TIMEOUT must be a positive duration such as 10s, got " + timeout);
        }
    }
}
