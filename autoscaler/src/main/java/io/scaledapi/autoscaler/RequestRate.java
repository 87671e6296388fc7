package io.scaledapi.autoscaler;

/**
 * The fleet's request rate in req/s, as the two figures the rules judge by. Pods the tick could not measure count
 * idle in {@code low} and fully loaded in {@code high}; saturated pods count in both at the demand they are taken to
 * hide. Scaling up trusts {@code low}, scaling down {@code high}, so that missing data never scales either way.
 *
 * <p>One record from the tick's measurement ({@link Measure}) through its sample in the state and the windows'
 * averages ({@link Rates}) to the {@link Decision}.
 */
public record RequestRate(double low, double high) {

    public static final RequestRate UNKNOWN = new RequestRate(Double.NaN, Double.NaN);
}
