package io.scaledapi.sampleapi.web;

import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;

/**
 * The values a request series may be tagged with. A tag taken from what a client sends (its method name) would give
 * every made-up method a series of its own: the metrics page, which the autoscaler reads within a size bound, would
 * grow without one. URIs are tagged with route templates, never raw paths, where the routes are declared.
 */
public final class RequestTags {

    /** RFC 9110's methods plus PATCH; anything else is tagged {@value #OTHER}. */
    static final Set<String> METHODS =
            Set.of("GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH");

    static final String OTHER = "OTHER";

    private RequestTags() {}

    /** The method's tag: itself when known, else {@value #OTHER}. */
    public static String method(String method) {
        return METHODS.contains(method) ? method : OTHER;
    }

    /** The same rule for every series with a {@code method} tag, whichever stack recorded it (Spring's or the API's). */
    public static MeterFilter filter() {
        return MeterFilter.replaceTagValues("method", RequestTags::method);
    }
}
