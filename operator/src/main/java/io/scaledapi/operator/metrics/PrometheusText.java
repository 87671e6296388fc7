package io.scaledapi.operator.metrics;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parser for the Prometheus text exposition format and OpenMetrics text: comments and metadata, label sets with
 * escaped values, exemplars, timestamps, {@code NaN} and {@code ±Inf}, CRLF line ends. A line it cannot read
 * (garbage, or cut off at the end of a truncated body) is skipped and counted, never guessed at.
 */
public final class PrometheusText {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {}

    /** The samples, and how many lines could not be read. */
    public record Parsed(List<Sample> samples, int badLines, boolean complete) {}

    private PrometheusText() {}

    public static Parsed parse(String text) {
        List<Sample> samples = new ArrayList<>();
        int bad = 0;
        boolean eof = false;
        String[] lines = text.split("\r?\n", -1);
        // Without a final newline the last line may have been cut short: a value "12" of "1234" is still valid
        // syntax, so an unterminated last line is not trusted.
        int last = text.endsWith("\n") ? lines.length - 1 : lines.length;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i].strip();
            if (line.isEmpty()) {
                continue;
            }
            if (line.startsWith("#")) {
                eof |= line.equals("# EOF");
                continue;
            }
            if (i == last - 1 && !text.endsWith("\n") && !eof) {
                bad++;
                continue;
            }
            Sample sample = parseLine(line);
            if (sample == null) {
                bad++;
            } else {
                samples.add(sample);
            }
        }
        return new Parsed(samples, bad, eof || text.endsWith("\n"));
    }

    static Sample parseLine(String line) {
        int i = 0;
        int n = line.length();
        while (i < n && isNameChar(line.charAt(i), i == 0)) {
            i++;
        }
        if (i == 0) {
            return null;
        }
        String name = line.substring(0, i);
        Map<String, String> labels = Collections.emptyMap();
        if (i < n && line.charAt(i) == '{') {
            labels = new LinkedHashMap<>();
            i++;
            while (true) {
                while (i < n && (line.charAt(i) == ' ' || line.charAt(i) == ',')) {
                    i++;
                }
                if (i >= n) {
                    return null;
                }
                if (line.charAt(i) == '}') {
                    i++;
                    break;
                }
                int start = i;
                while (i < n && isNameChar(line.charAt(i), i == start)) {
                    i++;
                }
                if (i == start || i >= n || line.charAt(i) != '=') {
                    return null;
                }
                String key = line.substring(start, i);
                i++;
                if (i >= n || line.charAt(i) != '"') {
                    return null;
                }
                i++;
                StringBuilder value = new StringBuilder();
                boolean closed = false;
                while (i < n) {
                    char c = line.charAt(i++);
                    if (c == '\\') {
                        if (i >= n) {
                            return null;
                        }
                        char e = line.charAt(i++);
                        value.append(e == 'n' ? '\n' : e);
                    } else if (c == '"') {
                        closed = true;
                        break;
                    } else {
                        value.append(c);
                    }
                }
                if (!closed) {
                    return null;
                }
                labels.put(key, value.toString());
            }
        }
        String rest = line.substring(i).strip();
        int exemplar = rest.indexOf(" # ");
        if (exemplar >= 0) {
            rest = rest.substring(0, exemplar).strip();
        } else if (rest.contains("#")) {
            rest = rest.substring(0, rest.indexOf('#')).strip();
        }
        if (rest.isEmpty()) {
            return null;
        }
        String[] parts = rest.split("\\s+");
        if (parts.length > 2) {
            return null;
        }
        Double value = parseValue(parts[0]);
        if (value == null) {
            return null;
        }
        if (parts.length == 2 && parseValue(parts[1]) == null) {
            return null; // a timestamp that is not a number
        }
        return new Sample(name, labels, value);
    }

    static Double parseValue(String text) {
        switch (text) {
            case "NaN":
                return Double.NaN;
            case "+Inf":
            case "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return c == '_'
                || c == ':'
                || (c >= 'a' && c <= 'z')
                || (c >= 'A' && c <= 'Z')
                || (!first && c >= '0' && c <= '9');
    }
}
