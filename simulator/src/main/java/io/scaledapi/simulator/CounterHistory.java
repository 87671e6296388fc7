package io.scaledapi.simulator;

import java.util.Arrays;

/** A cumulative counter's value at the end of each second, from a start second on: what Prometheus could scrape. */
public final class CounterHistory {

    private final int startSecond;
    private double[] values = new double[64];
    private int size;

    CounterHistory(int startSecond) {
        this.startSecond = startSecond;
    }

    void add(double value) {
        if (size == values.length) {
            values = Arrays.copyOf(values, size * 2);
        }
        values[size++] = value;
    }

    /** The counter at the start of {@code second} (the end of the one before); 0 before it existed. */
    public double at(int second) {
        int index = second - startSecond - 1;
        if (index < 0 || size == 0) {
            return 0;
        }
        return values[Math.min(index, size - 1)];
    }
}
