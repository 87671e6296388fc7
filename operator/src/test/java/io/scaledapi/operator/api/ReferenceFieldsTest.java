package io.scaledapi.operator.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaProps;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.scaledapi.operator.TestResources;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The reference's table of ScaledApi fields (docs/reference.md) lists exactly the CRD's spec fields. */
class ReferenceFieldsTest {

    @Test
    void theFieldTableMatchesTheCrd() throws IOException {
        CustomResourceDefinition crd =
                Serialization.unmarshal(Files.readString(TestResources.CRD_FILE), CustomResourceDefinition.class);
        JSONSchemaProps spec = crd.getSpec()
                .getVersions()
                .get(0)
                .getSchema()
                .getOpenAPIV3Schema()
                .getProperties()
                .get("spec");
        List<String> fields = new ArrayList<>();
        collect(spec, "", fields);

        String reference = Files.readString(Path.of("..", "docs", "reference.md"));
        String section = reference.substring(reference.indexOf("## Fields of a ScaledApi"));
        section = section.substring(0, section.indexOf("\n## ", 10));
        TreeSet<String> documented = new TreeSet<>();
        Matcher row = Pattern.compile("(?m)^\\| `([a-zA-Z.]+)` \\|").matcher(section);
        while (row.find()) {
            documented.add(row.group(1));
        }
        assertThat(documented).as("fields in the reference's table vs the CRD").isEqualTo(new TreeSet<>(fields));
    }

    private static void collect(JSONSchemaProps node, String prefix, List<String> out) {
        if (node.getProperties() == null) {
            return;
        }
        for (Map.Entry<String, JSONSchemaProps> e : node.getProperties().entrySet()) {
            String path = prefix + e.getKey();
            out.add(path);
            if (!e.getKey().equals("env") && !e.getKey().equals("resources")) {
                collect(e.getValue(), path + ".", out);
            }
        }
    }
}
