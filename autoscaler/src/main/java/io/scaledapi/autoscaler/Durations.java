package io.scaledapi.autoscaler;

import java.time.Duration;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Go-style durations ({@code 1m30s}, {@code 250ms}), the form Kubernetes users write, as the CRD schema checks them. */
public final class Durations {

    /** The schema pattern for a duration field. */
    public static final String PATTERN = "^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$";

    private static final Pattern PART = Pattern.compile("([0-9]+(?:\\.[0-9]+)?)(ns|us|ms|s|m|h)");

    private Durations() {}

    public static Duration parse(String text) {
        if (text == null || !text.matches(PATTERN)) {
            throw new IllegalArgumentException("not a duration such as 30s, 5m or 1m30s: " + text);
        }
        Matcher matcher = PART.matcher(text);
        double nanos = 0;
        while (matcher.find()) {
            double value = Double.parseDouble(matcher.group(1));
            nanos += value
                    * switch (matcher.group(2)) {
                        case "ns" -> 1d;
                        case "us" -> 1e3;
                        case "ms" -> 1e6;
                        case "s" -> 1e9;
                        case "m" -> 60e9;
                        default -> 3600e9;
                    };
        }
        return Duration.ofNanos(Math.round(nanos));
    }

    /** A duration as sample-api's settings read it (whole milliseconds or seconds, no compound form). */
    public static String forSpring(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? (millis / 1000) + "s" : millis + "ms";
    }
}
