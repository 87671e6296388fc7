package io.scaledapi.operator.status;

import com.github.benmanes.caffeine.cache.Caffeine;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.scaledapi.operator.api.ScaledApi;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Kubernetes events on a ScaledApi, for what a user must see in {@code kubectl describe}. The same event is not
 * repeated while it stays the latest one for that resource and reason, so a reconcile loop does not flood.
 * Failing to write an event is logged, never fatal.
 */
public final class EventRecorder {

    public static final String NORMAL = "Normal";
    public static final String WARNING = "Warning";
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);
    private static final int REMEMBERED = 10_000;

    private final KubernetesClient client;
    private final Map<String, String> lastMessage = Caffeine.newBuilder()
            .maximumSize(REMEMBERED)
            .<String, String>build()
            .asMap();

    public EventRecorder(KubernetesClient client) {
        this.client = client;
    }

    public void record(HasMetadata about, String type, String reason, String message) {
        String key = about.getMetadata().getUid() + "/" + reason;
        if (message.equals(lastMessage.put(key, message))) {
            return;
        }
        String now = Instant.now().truncatedTo(ChronoUnit.SECONDS).toString();
        try {
            client.v1()
                    .events()
                    .inNamespace(about.getMetadata().getNamespace())
                    .resource(new EventBuilder()
                            .withNewMetadata()
                            .withName(about.getMetadata().getName() + "."
                                    + UUID.randomUUID().toString().substring(0, 13))
                            .withNamespace(about.getMetadata().getNamespace())
                            .endMetadata()
                            .withNewInvolvedObject()
                            .withApiVersion(about.getApiVersion())
                            .withKind(about.getKind())
                            .withName(about.getMetadata().getName())
                            .withNamespace(about.getMetadata().getNamespace())
                            .withUid(about.getMetadata().getUid())
                            .withResourceVersion(about.getMetadata().getResourceVersion())
                            .endInvolvedObject()
                            .withType(type)
                            .withReason(reason)
                            .withMessage(message.length() > 1024 ? message.substring(0, 1024) : message)
                            .withFirstTimestamp(now)
                            .withLastTimestamp(now)
                            .withCount(1)
                            .withNewSource()
                            .withComponent(ScaledApi.MANAGER)
                            .endSource()
                            .withReportingComponent(ScaledApi.MANAGER)
                            .withReportingInstance(ScaledApi.MANAGER)
                            .build())
                    .create();
            log.debug(
                    "{}/{} event {} {}: {}",
                    about.getMetadata().getNamespace(),
                    about.getMetadata().getName(),
                    type,
                    reason,
                    message);
        } catch (KubernetesClientException e) {
            lastMessage.remove(key);
            log.warn(
                    "{}/{} could not record event {}: {}",
                    about.getMetadata().getNamespace(),
                    about.getMetadata().getName(),
                    reason,
                    e.getMessage());
        }
    }
}
