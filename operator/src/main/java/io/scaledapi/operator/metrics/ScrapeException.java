package io.scaledapi.operator.metrics;

/** A scrape that failed in a way the scraper recognised, with its kind. */
public final class ScrapeException extends IllegalStateException {

    private final ScrapeFailure failure;

    public ScrapeException(ScrapeFailure failure, String message) {
        super(message);
        this.failure = failure;
    }

    public ScrapeFailure failure() {
        return failure;
    }
}
