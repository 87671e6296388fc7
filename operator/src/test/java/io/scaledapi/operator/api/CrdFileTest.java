package io.scaledapi.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.TestResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import org.junit.jupiter.api.Test;

/**
 * The committed CRD ({@code crds/}) is what the build generates from the Java model, with the printer columns in
 * {@link ScaledApi#PRINTER_COLUMN_ORDER}. {@code dev/update-crds} rewrites it (this test with -DupdateCrds=true).
 */
class CrdFileTest {

    private static final Path GENERATED =
            Path.of("target", "classes", "META-INF", "fabric8", "scaledapis.scaledapi.io-v1.yml");

    @Test
    void committedCrdIsTheGeneratedOne() throws IOException {
        String expected = committedForm(Files.readString(GENERATED));
        if (Boolean.getBoolean("updateCrds")) {
            Files.writeString(TestResources.CRD_FILE, expected);
        }
        assertThat(TestResources.CRD_FILE).exists();
        assertThat(Files.readString(TestResources.CRD_FILE))
                .as(
                        "crds/ differs from the CRD generated from the Java model: run dev/update-crds and commit the result")
                .isEqualTo(expected);
        assertThat(Files.readString(HELM_CRD_FILE))
                .as("the chart's crds/ differs from crds/: run dev/update-crds and commit the result")
                .isEqualTo(expected);
    }

    static final Path HELM_CRD_FILE =
            Path.of("..", "helm", "scaledapi-operator", "crds", "scaledapis.scaledapi.io-v1.yml");

    static String committedForm(String generated) {
        CustomResourceDefinition crd = Serialization.unmarshal(generated, CustomResourceDefinition.class);
        for (CustomResourceDefinitionVersion version : crd.getSpec().getVersions()) {
            version.getAdditionalPrinterColumns()
                    .sort(Comparator.comparingInt(column -> ScaledApi.PRINTER_COLUMN_ORDER.indexOf(column.getName())));
        }
        return "# Generated from operator/src/main/java/io/scaledapi/operator/api by dev/update-crds. Do not edit.\n"
                + Serialization.asYaml(crd);
    }
}
