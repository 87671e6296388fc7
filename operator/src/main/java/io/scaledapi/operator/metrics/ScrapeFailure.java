package io.scaledapi.operator.metrics;

import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.IOException;
import java.net.http.HttpTimeoutException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeoutException;

/** Why a pod has no counters this tick, in a few kinds: the {@code reason} label of the operator's scrape errors. */
public enum ScrapeFailure {
    /** No full answer within the scrape timeout. */
    TIMEOUT("timeout"),
    /** The pod (or the API server's pod proxy) answered with a status other than 200. */
    HTTP_STATUS("http_status"),
    /** The answer was larger than the scraper reads. */
    TOO_LARGE("too_large"),
    /** The answer had no request counter the scraper could read. */
    UNREADABLE("unreadable"),
    /** No connection, or it broke. */
    CONNECTION("connection"),
    /** Never started: more scrapes were in flight than the bound allows for as long as the timeout. */
    OVERLOADED("overloaded"),
    /** Anything else. */
    ERROR("error");

    private final String label;

    ScrapeFailure(String label) {
        this.label = label;
    }

    public String label() {
        return label;
    }

    /** The kind of a failed fetch or read. */
    public static ScrapeFailure of(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        if (cause instanceof ScrapeException e) {
            return e.failure();
        }
        if (cause instanceof TimeoutException || cause instanceof HttpTimeoutException) {
            return TIMEOUT;
        }
        if (cause instanceof KubernetesClientException k && k.getCode() > 0) {
            return HTTP_STATUS;
        }
        if (cause instanceof IOException || cause instanceof KubernetesClientException) {
            return CONNECTION;
        }
        return ERROR;
    }
}
