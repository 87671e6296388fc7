package io.scaledapi.sampleapi;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * How many API requests a replica works on at once, bound from {@code ADMISSION_MAX_IN_FLIGHT}. Beyond it a request is
 * answered at once with 503 and {@code Retry-After}, and counted in {@code http.server.shed}: an overloaded pod then
 * answers in microseconds instead of queueing requests for seconds, and what it sheds is demand the autoscaler sees.
 *
 * @param maxInFlight requests in flight at once; 0 (the default) turns the bound off
 */
@ConfigurationProperties("admission")
public record AdmissionProperties(@DefaultValue("0") int maxInFlight) {

    public AdmissionProperties {
        if (maxInFlight < 0) {
            throw new IllegalArgumentException(
                    "ADMISSION_MAX_IN_FLIGHT must be 0 (no bound) or more, got " + maxInFlight);
        }
    }
}
