package io.scaledapi.sampleapi.connections;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Bounds on the API's connections, bound from {@code CONNECTIONS_HEADER_TIMEOUT}, {@code CONNECTIONS_REQUEST_TIMEOUT}
 * and {@code CONNECTIONS_MAX_OPEN}. A connection that trickles its request in holds memory and a slot for as long as
 * it is let: these say how long, and how many.
 *
 * @param headerTimeout  from a request's first byte to the end of its head (request line and headers, 12 KiB at most
 *                       here): past it the connection is closed. nginx's {@code client_header_timeout} is 60 s, set
 *                       when clients sent headers over modems; a client of an API sends them in one packet, so 10 s
 *                       leaves a slow mobile link a wide margin and frees a slow-loris connection six times sooner.
 * @param requestTimeout from the end of the head to the end of the request's body (Reactor Netty's
 *                       {@code requestTimeout}): the API takes GETs, whose body is empty, so any wait is an attack.
 * @param maxOpen        open connections at most; a connection beyond it is closed as soon as it is accepted. Well
 *                       above what a pod's clients hold (k6 at 2,000 req/s keeps a few hundred), well below what
 *                       exhausts its memory (an idle connection costs a few KiB; a pod has 512 MiB).
 */
@ConfigurationProperties("connections")
public record ConnectionProperties(
        @DefaultValue("10s") Duration headerTimeout,
        @DefaultValue("10s") Duration requestTimeout,
        @DefaultValue("4096") int maxOpen) {

    public ConnectionProperties {
        if (headerTimeout == null || headerTimeout.isNegative() || headerTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "CONNECTIONS_HEADER_TIMEOUT must be a positive duration such as 10s, got " + headerTimeout);
        }
        if (requestTimeout == null || requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException(
                    "CONNECTIONS_REQUEST_TIMEOUT must be a positive duration such as 10s, got " + requestTimeout);
        }
        if (maxOpen < 1) {
            throw new IllegalArgumentException("CONNECTIONS_MAX_OPEN must be at least 1, got " + maxOpen);
        }
    }
}
