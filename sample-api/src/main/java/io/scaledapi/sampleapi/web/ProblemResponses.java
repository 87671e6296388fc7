package io.scaledapi.sampleapi.web;

import java.net.URI;

import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.web.reactive.function.server.ServerResponse;

import reactor.core.publisher.Mono;

/** RFC 9457 problem bodies ({@code application/problem+json}) for every error the API gives. */
public final class ProblemResponses {

    private ProblemResponses() {
    }

    public static ProblemDetail problem(HttpStatusCode status, String detail, String instance) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        if (instance != null) {
            problem.setInstance(URI.create(safeInstance(instance)));
        }
        return problem;
    }

    public static Mono<ServerResponse> respond(HttpStatus status, String detail, String instance) {
        return ServerResponse.status(status)
                .contentType(MediaType.APPLICATION_PROBLEM_JSON)
                .bodyValue(problem(status, detail, instance));
    }

    // The instance is the request path; keep only characters that are always legal in a URI reference.
    private static String safeInstance(String path) {
        String trimmed = path.length() > 200 ? path.substring(0, 200) : path;
        return trimmed.replaceAll("[^A-Za-z0-9\\-._~!$&'()*+,;=:@/%]", "_");
    }
}
