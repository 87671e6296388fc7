package io.scaledapi.sampleapi.cache;

import java.time.Duration;

/**
 * What an origin answered.
 *
 * @param status      HTTP status to hand on
 * @param body        the bytes to serve
 * @param contentType the media type of the body
 * @param maxAge      a freshness bound from the origin (upstream {@code Cache-Control: max-age}), or null for none
 * @param cacheable   false for answers that must not be kept ({@code no-store}, non-2xx statuses)
 */
public record OriginResponse(int status, byte[] body, String contentType, Duration maxAge, boolean cacheable) {

    public static OriginResponse json(byte[] body) {
        return new OriginResponse(200, body, "application/json", null, true);
    }
}
