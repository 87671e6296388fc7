package io.scaledapi.operator.faults;

/** A request counter that grows at a rate a test sets; a new rate takes over from where the count is. */
public final class GrowingCounter {

    private double ratePerSecond;
    private long baseMillis = System.currentTimeMillis();
    private double baseCount;

    public synchronized void rate(double perSecond) {
        long now = System.currentTimeMillis();
        baseCount = count(now);
        baseMillis = now;
        ratePerSecond = perSecond;
    }

    /** Moves the count by {@code delta} at once, as a counter gone wrong does. */
    public synchronized void jump(double delta) {
        baseCount += delta;
    }

    public synchronized double count(long nowMillis) {
        return baseCount + ratePerSecond * (nowMillis - baseMillis) / 1000.0;
    }
}
