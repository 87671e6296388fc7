package io.scaledapi.operator;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The chart rendered by a real helm binary (installed by dev/helm-binary). */
public final class HelmChart {

    public static final Path CHART = Path.of("..", "helm", "scaledapi-operator");

    private HelmChart() {}

    public static Path helm() {
        Path helm = Path.of(
                System.getenv().getOrDefault("SCALEDAPI_CACHE", System.getProperty("user.home") + "/.cache/scaledapi"),
                "helm-3.17.3",
                "helm");
        if (!Files.isExecutable(helm)) {
            throw new IllegalStateException(
                    "no helm at " + helm + ": install it once with dev/helm-binary (dev/test does this)");
        }
        return helm;
    }

    /** {@code helm template} with the given namespace and {@code --set} values; the output, or the error helm gave. */
    public static String template(String namespace, String... sets) {
        List<String> command = new ArrayList<>(
                List.of(helm().toString(), "template", "scaledapi", CHART.toString(), "--namespace", namespace));
        for (String set : sets) {
            command.add("--set");
            command.add(set);
        }
        return run(command);
    }

    public static String run(List<String> command) {
        try {
            Process process =
                    new ProcessBuilder(command).redirectErrorStream(true).start();
            String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
                throw new IllegalArgumentException("helm failed: " + output);
            }
            return output;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
