package io.scaledapi.sampleapi.web;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.core.annotation.Order;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.web.server.ResponseStatusException;
import org.springframework.web.server.ServerWebExchange;
import org.springframework.web.server.WebExceptionHandler;
import reactor.core.publisher.Mono;

/**
 * Errors on the Spring side of the port (unknown paths, Actuator) get an RFC 9457 body too, instead of
 * Spring Boot's own error JSON. Ordered before Boot's handler.
 */
@Order(-2)
public final class ProblemExceptionHandler implements WebExceptionHandler {

    private static final Logger log = LoggerFactory.getLogger(ProblemExceptionHandler.class);

    @Override
    public Mono<Void> handle(ServerWebExchange exchange, Throwable error) {
        if (exchange.getResponse().isCommitted()) {
            return Mono.error(error);
        }
        HttpStatusCode status;
        String detail;
        if (error instanceof ResponseStatusException e) {
            status = e.getStatusCode();
            detail = e.getReason() != null
                    ? e.getReason()
                    : HttpStatus.valueOf(status.value()).getReasonPhrase();
        } else {
            status = HttpStatus.INTERNAL_SERVER_ERROR;
            detail = "internal error";
            log.error(
                    "unhandled error on {} {}",
                    exchange.getRequest().getMethod(),
                    exchange.getRequest().getPath(),
                    error);
        }
        return write(
                exchange,
                ApiResponse.problem(
                        status.value(),
                        HttpStatus.valueOf(status.value()).getReasonPhrase(),
                        detail,
                        exchange.getRequest().getPath().value()));
    }

    static Mono<Void> write(ServerWebExchange exchange, ApiResponse problem) {
        exchange.getResponse().setStatusCode(HttpStatusCode.valueOf(problem.status()));
        exchange.getResponse().getHeaders().setContentType(MediaType.parseMediaType(problem.contentType()));
        return exchange.getResponse()
                .writeWith(Mono.just(exchange.getResponse().bufferFactory().wrap(problem.body())));
    }
}
