package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * docs/autoscaling.md names the autoscaler's constants and the scaling defaults, and gives their values only in its
 * two tables: each row must be what the code says.
 */
class DocumentedConstantsTest {

    static String doc() throws Exception {
        return Files.readString(Path.of("..", "docs", "autoscaling.md"));
    }

    @Test
    void everyDocumentedConstantHasTheValueTheDocumentationGives() throws Exception {
        String doc = doc();
        Matcher row = Pattern.compile("(?m)^\\| `(\\w+)\\.([A-Z_]+)` \\| ([0-9.]+) \\|")
                .matcher(doc);
        Map<String, String> documented = new LinkedHashMap<>();
        while (row.find()) {
            documented.put(row.group(1) + "." + row.group(2), row.group(3));
        }
        assertThat(documented).hasSizeGreaterThan(15);
        for (Map.Entry<String, String> e : documented.entrySet()) {
            String[] name = e.getKey().split("\\.");
            Field field = Class.forName("io.scaledapi.autoscaler." + name[0]).getDeclaredField(name[1]);
            field.setAccessible(true);
            double value = ((Number) field.get(null)).doubleValue();
            assertThat(value).as(e.getKey()).isEqualTo(Double.parseDouble(e.getValue()));
        }
    }

    /** A row such as {@code | `windows().stable()` | 60s |}: the accessors called in turn on the defaults. */
    @Test
    void everyDocumentedDefaultIsTheDefaultPolicys() throws Exception {
        Matcher row = Pattern.compile("(?m)^\\| `((?:\\w+\\(\\)\\.?)+)` \\| ([0-9.]+(?:ms|s|m)?) \\|")
                .matcher(doc());
        int rows = 0;
        while (row.find()) {
            Object value = ScalingPolicy.DEFAULTS;
            for (String accessor : row.group(1).split("\\.")) {
                value = value.getClass()
                        .getMethod(accessor.substring(0, accessor.length() - 2))
                        .invoke(value);
            }
            String documented = row.group(2);
            if (value instanceof Duration duration) {
                assertThat(duration).as(row.group(1)).isEqualTo(Durations.parse(documented));
            } else {
                assertThat(((Number) value).doubleValue()).as(row.group(1)).isEqualTo(Double.parseDouble(documented));
            }
            rows++;
        }
        assertThat(rows).isGreaterThanOrEqualTo(10);
    }
}
