package io.scaledapi.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A request-rate trace: CSV rows {@code seconds,rps}; rates between given points are interpolated linearly, and a
 * row repeated at the same second makes a step.
 */
public final class Trace {

    private final String name;
    private final double[] rates; // one per second
    private final Integer initialReplicas;
    private final boolean stationary;

    private Trace(String name, double[] rates, Integer initialReplicas, boolean stationary) {
        this.name = name;
        this.rates = rates;
        this.initialReplicas = initialReplicas;
        this.stationary = stationary;
    }

    /** A trace may say it is stationary ({@code # stationary: true}): a steady load on which no policy should scale. */
    public boolean stationary() {
        return stationary;
    }

    /** A trace may say how many warm replicas run when it starts ({@code # initialReplicas: 3}); else the config does. */
    public Integer initialReplicas() {
        return initialReplicas;
    }

    public static Trace read(Path file) throws IOException {
        return parse(file.getFileName().toString().replaceFirst("\\.csv$", ""), Files.readString(file));
    }

    public static Trace parse(String name, String csv) {
        List<double[]> points = new ArrayList<>();
        Integer initial = null;
        boolean stationary = false;
        int line = 0;
        for (String row : csv.split("\r?\n")) {
            line++;
            String r = row.strip();
            if (r.startsWith("# initialReplicas:")) {
                initial = Integer.parseInt(
                        r.substring("# initialReplicas:".length()).strip());
                continue;
            }
            if (r.startsWith("# stationary:")) {
                stationary = Boolean.parseBoolean(
                        r.substring("# stationary:".length()).strip());
                continue;
            }
            if (r.isEmpty() || r.startsWith("#") || r.startsWith("seconds")) {
                continue;
            }
            String[] cells = r.split(",");
            try {
                double t = Double.parseDouble(cells[0].strip());
                double rps = Double.parseDouble(cells[1].strip());
                if (t < 0 || rps < 0 || !Double.isFinite(rps)) {
                    throw new NumberFormatException();
                }
                if (!points.isEmpty() && t < points.get(points.size() - 1)[0]) {
                    throw new IllegalArgumentException(name + " line " + line + ": seconds go backwards");
                }
                points.add(new double[] {t, rps});
            } catch (NumberFormatException | ArrayIndexOutOfBoundsException e) {
                throw new IllegalArgumentException(
                        name + " line " + line + ": expected 'seconds,rps' with numbers >= 0, got '" + r + "'");
            }
        }
        if (points.size() < 2) {
            throw new IllegalArgumentException(name + ": a trace needs at least two rows");
        }
        int length = (int) Math.ceil(points.get(points.size() - 1)[0]);
        double[] rates = new double[length];
        int i = 0;
        for (int s = 0; s < length; s++) {
            // The last point at or before s (at a repeated second, the later row: a step).
            while (i + 1 < points.size() && points.get(i + 1)[0] <= s) {
                i++;
            }
            double[] a = points.get(i);
            if (i + 1 < points.size()) {
                double[] b = points.get(i + 1);
                rates[s] = a[1] + (b[1] - a[1]) * (s - a[0]) / (b[0] - a[0]);
            } else {
                rates[s] = a[1];
            }
        }
        return new Trace(name, rates, initial, stationary);
    }

    public static Trace of(String name, double[] perSecond, Integer initialReplicas) {
        return new Trace(name, perSecond.clone(), initialReplicas, false);
    }

    public String name() {
        return name;
    }

    public int seconds() {
        return rates.length;
    }

    public double rateAt(int second) {
        return rates[Math.min(second, rates.length - 1)];
    }

    /** Seconds where the rate jumps by at least 20 % and 50 req/s within 10 s: the steps whose responses are reported. */
    public List<Integer> steps() {
        List<Integer> steps = new ArrayList<>();
        for (int s = 1; s < rates.length; s++) {
            double before = rates[Math.max(0, s - 10)];
            double now = rates[s];
            boolean jump = now - before >= Math.max(50, 0.2 * before) && now - rates[s - 1] > 0;
            if (jump && (steps.isEmpty() || s - steps.get(steps.size() - 1) > 30)) {
                steps.add(s);
            }
        }
        return steps;
    }
}
