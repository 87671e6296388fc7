package io.scaledapi.sampleapi.cache;

/** The origin could not answer and no stale copy was there to serve instead. */
public class OriginUnavailableException extends RuntimeException {

    public OriginUnavailableException(String message) {
        super(message);
    }

    public OriginUnavailableException(String message, Throwable cause) {
        super(message, cause);
    }
}
