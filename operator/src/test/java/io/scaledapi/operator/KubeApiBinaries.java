package io.scaledapi.operator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Fails, with the command that fixes it, when the control-plane binaries kube-api-test needs are not there, so an
 * integration test never falls back to a download (there is no network for one) or skips silently.
 * Registered before {@code @EnableKubeAPIServer} so that it runs first.
 */
public final class KubeApiBinaries implements BeforeAllCallback {

    @Override
    public void beforeAll(ExtensionContext context) {
        Path dir = Path.of(
                System.getenv().getOrDefault("KUBE_API_TEST_DIR", System.getProperty("user.home") + "/.kubeapitest"),
                "k8s");
        try (Stream<Path> versions = Files.isDirectory(dir) ? Files.list(dir) : Stream.empty()) {
            boolean present = versions.anyMatch(
                    v -> Files.isExecutable(v.resolve("kube-apiserver")) && Files.isExecutable(v.resolve("etcd")));
            if (!present) {
                throw new IllegalStateException("no kube-apiserver and etcd under " + dir
                        + ": build them once with dev/k8s-binaries (dev/test does this before the tests)");
            }
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + dir, e);
        }
    }
}
