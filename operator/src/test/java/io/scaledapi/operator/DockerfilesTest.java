package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The images build from the repository root with only some of it copied in: Maven refuses a parent whose listed
 * module has no pom, so every Dockerfile copies every module's pom before it resolves dependencies. And the image
 * runs as a numeric non-root user.
 */
class DockerfilesTest {

    static List<String> modules() throws IOException {
        Matcher m = Pattern.compile("<module>([^<]+)</module>").matcher(Files.readString(Path.of("..", "pom.xml")));
        List<String> modules = new java.util.ArrayList<>();
        while (m.find()) {
            modules.add(m.group(1));
        }
        return modules;
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator/Dockerfile", "sample-api/Dockerfile"})
    void copiesEveryModulesPomBeforeMavenRuns(String dockerfile) throws IOException {
        String text = Files.readString(Path.of("..", dockerfile));
        int firstMaven = text.indexOf("RUN mvn");
        assertThat(firstMaven).as("%s runs Maven", dockerfile).isPositive();
        assertThat(modules()).isNotEmpty().allSatisfy(module -> {
            int copy = text.indexOf("COPY " + module + "/pom.xml " + module + "/");
            assertThat(copy)
                    .as("%s copies %s/pom.xml", dockerfile, module)
                    .isPositive()
                    .isLessThan(firstMaven);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"operator/Dockerfile", "sample-api/Dockerfile"})
    void runsAsANumericNonRootUser(String dockerfile) throws IOException {
        List<String> users = Files.readAllLines(Path.of("..", dockerfile)).stream()
                .filter(l -> l.startsWith("USER "))
                .toList();
        assertThat(users).isNotEmpty();
        assertThat(users.get(users.size() - 1)).matches("USER [1-9][0-9]{3,}");
    }

    /** The image and the chart size the JVM alike, for the chart's 512Mi memory limit. */
    @org.junit.jupiter.api.Test
    void theOperatorImageSizesTheJvmAsTheChartDoes() throws IOException {
        Matcher image = Pattern.compile("ENV JAVA_TOOL_OPTIONS=\"([^\"]+)\"")
                .matcher(Files.readString(Path.of("..", "operator/Dockerfile")));
        Matcher chart = Pattern.compile("(?m)^jvmOptions: \"([^\"]+)\"")
                .matcher(Files.readString(HelmChart.CHART.resolve("values.yaml")));
        assertThat(image.find()).isTrue();
        assertThat(chart.find()).isTrue();
        assertThat(image.group(1)).isEqualTo(chart.group(1)).contains("-Xmx256m");
        assertThat(Files.readString(HelmChart.CHART.resolve("values.yaml"))).contains("memory: 512Mi");
    }
}
