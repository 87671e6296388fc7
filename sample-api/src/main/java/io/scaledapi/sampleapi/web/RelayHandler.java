package io.scaledapi.sampleapi.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import io.scaledapi.sampleapi.cache.ResponseCache;
import io.scaledapi.sampleapi.relay.RelayTarget;

import reactor.core.publisher.Mono;

/** {@code GET /relay/{path}}: the configured upstream's answer, through the cache. */
public final class RelayHandler {

    static final String PREFIX = "/relay/";

    private final URI upstream;
    private final ResponseCache<RelayTarget> cache;
    private final CachedResponseWriter writer;

    public RelayHandler(URI upstream, ResponseCache<RelayTarget> cache, CachedResponseWriter writer) {
        this.upstream = upstream;
        this.cache = cache;
        this.writer = writer;
    }

    public Mono<ServerResponse> relay(ServerRequest request) {
        String rawPath = request.requestPath().pathWithinApplication().value();
        RelayTarget target;
        try {
            target = RelayTarget.parse(rawPath.substring(PREFIX.length()), request.uri().getRawQuery());
            target.resolveAgainst(upstream); // refuse here, not as an origin failure
        } catch (RelayTarget.RefusedException e) {
            return ProblemResponses.respond(HttpStatus.BAD_REQUEST, e.getMessage(), null);
        }
        return writer.serve(request, cache, target);
    }

    /** When {@code UPSTREAM_URL} is not set. */
    public static Mono<ServerResponse> disabled(ServerRequest request) {
        return ProblemResponses.respond(HttpStatus.NOT_FOUND, "relay mode is off: UPSTREAM_URL is not set", null);
    }
}
