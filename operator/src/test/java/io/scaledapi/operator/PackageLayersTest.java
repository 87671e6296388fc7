package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The operator's packages are layers, each seeing only those below it: api, metrics < status < owned < ticks <
 * reconcile. A class that imports upwards fails here, naming itself and the import.
 */
class PackageLayersTest {

    static final Path SOURCES = Path.of("src", "main", "java", "io", "scaledapi", "operator");
    static final Map<String, List<String>> MAY_NOT_IMPORT = Map.of(
            "api", List.of("metrics", "status", "owned", "ticks", "reconcile"),
            "metrics", List.of("api", "status", "owned", "ticks", "reconcile"),
            "status", List.of("owned", "ticks", "reconcile"),
            "owned", List.of("ticks", "reconcile"),
            "ticks", List.of("reconcile"));

    @Test
    void noPackageImportsALayerAboveIt() throws IOException {
        List<String> violations = new ArrayList<>();
        for (Map.Entry<String, List<String>> layer : MAY_NOT_IMPORT.entrySet()) {
            try (Stream<Path> files = Files.list(SOURCES.resolve(layer.getKey()))) {
                for (Path file : files.toList()) {
                    for (String line : Files.readAllLines(file)) {
                        for (String above : layer.getValue()) {
                            if (line.startsWith("import io.scaledapi.operator." + above + ".")) {
                                violations.add(layer.getKey() + "/" + file.getFileName() + ": " + line);
                            }
                        }
                    }
                }
            }
        }
        assertThat(violations).isEmpty();
    }
}
