package io.scaledapi.operator.owned;

import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.javaoperatorsdk.operator.api.config.informer.Informer;
import io.javaoperatorsdk.operator.api.reconciler.Context;
import io.javaoperatorsdk.operator.processing.dependent.kubernetes.KubernetesDependent;
import io.scaledapi.operator.api.ScaledApi;

/**
 * The managed shared cache ({@code cache.shared.managed}): one {@code redis-server} with {@code maxmemory} and
 * least-recently-used eviction over all keys, no snapshots and no append-only file (it is a cache: a restart
 * empties it, and the origin still has everything), under the restricted security context (the redis image's
 * non-root user, read-only root file system, its data directory an emptyDir). It requires the password of
 * {@link SharedCacheSecret}.
 */
@KubernetesDependent(informer = @Informer(labelSelector = OwnedObjects.SHARED_CACHE_SELECTOR))
public class SharedCacheDeploymentDependent extends SharedCacheDependent<Deployment> {

    /** The image the managed Redis runs; SCALEDAPI_REDIS_IMAGE in the operator's environment overrides it. */
    static final String IMAGE = System.getenv().getOrDefault("SCALEDAPI_REDIS_IMAGE", "redis:7.2");
    /** Where the Secret's redis.conf is mounted. */
    static final String CONFIG_DIR = "/etc/redis-auth";
    /** The uid and gid of the redis user in the official image. */
    static final long REDIS_USER = 999;

    public SharedCacheDeploymentDependent() {
        super(Deployment.class);
    }

    @Override
    protected Deployment desired(ScaledApi api, Context<ScaledApi> context) {
        long maxMemory = SharedCacheObjects.maxMemoryBytes(api);
        // Redis needs some memory beyond its data (buffers, fragmentation): a quarter more, and 32 MiB at least.
        long limit = maxMemory + Math.max(maxMemory / 4, 32L << 20);
        String port = Integer.toString(SharedCacheObjects.PORT);
        return new DeploymentBuilder()
                .withMetadata(SharedCacheObjects.metadata(api))
                .withNewSpec()
                .withReplicas(1)
                .withNewStrategy()
                .withType("Recreate")
                .endStrategy()
                .withNewSelector()
                .withMatchLabels(SharedCacheObjects.selector(api))
                .endSelector()
                .withNewTemplate()
                .withNewMetadata()
                .withLabels(SharedCacheObjects.podLabels(api))
                .endMetadata()
                .withNewSpec()
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext()
                .withRunAsNonRoot(true)
                .withRunAsUser(REDIS_USER)
                .withRunAsGroup(REDIS_USER)
                .withFsGroup(REDIS_USER) // so that the redis user reads the Secret's file (0440)
                .withNewSeccompProfile()
                .withType("RuntimeDefault")
                .endSeccompProfile()
                .endSecurityContext()
                .addNewContainer()
                .withName("redis")
                .withImage(IMAGE)
                .withCommand("redis-server")
                .withArgs(
                        // The password, from the Secret, as a config file: never an argument, which any
                        // process on the node could read.
                        CONFIG_DIR + "/" + SharedCacheObjects.CONFIG_KEY,
                        "--port",
                        port,
                        "--maxmemory",
                        Long.toString(maxMemory),
                        "--maxmemory-policy",
                        "allkeys-lru",
                        "--save",
                        "",
                        "--appendonly",
                        "no",
                        "--dir",
                        "/data")
                .addNewPort()
                .withName("redis")
                .withContainerPort(SharedCacheObjects.PORT)
                .withProtocol("TCP")
                .endPort()
                .withNewResources()
                .addToRequests("cpu", new Quantity("100m"))
                .addToRequests("memory", new Quantity(Long.toString(limit)))
                .addToLimits("cpu", new Quantity("1"))
                .addToLimits("memory", new Quantity(Long.toString(limit)))
                .endResources()
                .withNewReadinessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString("redis"))
                .endTcpSocket()
                .withPeriodSeconds(5)
                .endReadinessProbe()
                .withNewLivenessProbe()
                .withNewTcpSocket()
                .withPort(new IntOrString("redis"))
                .endTcpSocket()
                .withPeriodSeconds(10)
                .withFailureThreshold(3)
                .endLivenessProbe()
                .withSecurityContext(OwnedObjects.restrictedContainer())
                .addNewVolumeMount()
                .withName("data")
                .withMountPath("/data")
                .endVolumeMount()
                .addNewVolumeMount()
                .withName("auth")
                .withMountPath(CONFIG_DIR)
                .withReadOnly(true)
                .endVolumeMount()
                .endContainer()
                .addNewVolume()
                .withName("data")
                .withNewEmptyDir()
                .endEmptyDir()
                .endVolume()
                .addNewVolume()
                .withName("auth")
                .withNewSecret()
                .withSecretName(SharedCacheObjects.secretName(api))
                .addNewItem()
                .withKey(SharedCacheObjects.CONFIG_KEY)
                .withPath(SharedCacheObjects.CONFIG_KEY)
                .endItem()
                .withDefaultMode(0440)
                .endSecret()
                .endVolume()
                .endSpec()
                .endTemplate()
                .endSpec()
                .build();
    }
}
