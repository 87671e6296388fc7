package io.scaledapi.nodeagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which local command stands in for which image, from a small file: {@code image-glob = command args...}, one a line
 * ({@code scaledapi/sample-api:* = java -jar sample-api/target/sample-api.jar}). Relative paths are the repository's.
 */
final class ImageCommands {

    private record Rule(Pattern image, List<String> command) {}

    private final List<Rule> rules = new ArrayList<>();

    ImageCommands(Path file) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String l = line.strip();
            if (l.isEmpty() || l.startsWith("#")) {
                continue;
            }
            int eq = l.indexOf('=');
            if (eq < 0) {
                throw new IllegalArgumentException(file + ": expected 'image-glob = command', got '" + l + "'");
            }
            String glob = l.substring(0, eq).strip();
            rules.add(new Rule(
                    Pattern.compile(Pattern.quote(glob).replace("*", "\\E.*\\Q")),
                    Arrays.asList(l.substring(eq + 1).strip().split("\\s+"))));
        }
    }

    Optional<List<String>> commandFor(String image) {
        return rules.stream()
                .filter(r -> r.image.matcher(image).matches())
                .map(Rule::command)
                .findFirst();
    }
}
