package io.scaledapi.operator;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubeapitest.junit.EnableKubeAPIServer;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.scaledapi.operator.api.ScaledApi;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every file under examples/ applies cleanly to a real API server with the committed CRD. */
@ExtendWith(KubeApiBinaries.class)
@EnableKubeAPIServer(updateKubeConfigFile = false)
class ExamplesTest {

    static final Path EXAMPLES = Path.of("..", "examples");
    static KubernetesClient client;

    @BeforeAll
    static void crd() {
        TestResources.installCrd(client);
    }

    static Stream<String> examples() throws IOException {
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            return files
                    .map(p -> p.getFileName().toString())
                    .filter(n -> n.endsWith(".yaml"))
                    .sorted()
                    .toList()
                    .stream();
        }
    }

    @ParameterizedTest
    @MethodSource("examples")
    void appliesCleanly(String file) throws IOException {
        String namespace = TestResources.newNamespace(client);
        List<HasMetadata> items;
        try (InputStream in = Files.newInputStream(EXAMPLES.resolve(file))) {
            items = client.load(in).items();
        }
        assertThat(items).isNotEmpty();
        for (HasMetadata item : items) {
            HasMetadata applied = client.resource(item).inNamespace(namespace).serverSideApply();
            assertThat(applied.getMetadata().getUid()).isNotBlank();
        }
        assertThat(client.resources(ScaledApi.class)
                        .inNamespace(namespace)
                        .list()
                        .getItems())
                .hasSize((int) items.stream()
                        .filter(i -> "ScaledApi".equals(i.getKind()))
                        .count())
                .isNotEmpty();
    }
}
