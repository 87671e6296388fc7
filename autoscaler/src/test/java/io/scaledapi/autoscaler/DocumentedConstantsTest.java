package io.scaledapi.autoscaler;

import static org.assertj.core.api.Assertions.assertThat;

import java.lang.reflect.Field;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/autoscaling.md names the autoscaler's constants with their values: each row must be what the code says. */
class DocumentedConstantsTest {

    @Test
    void everyDocumentedConstantHasTheValueTheDocumentationGives() throws Exception {
        String doc = Files.readString(Path.of("..", "docs", "autoscaling.md"));
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
}
