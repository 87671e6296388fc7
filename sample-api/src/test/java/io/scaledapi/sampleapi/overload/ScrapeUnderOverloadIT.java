package io.scaledapi.sampleapi.overload;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * sample-api's metrics answer when the pod is drowning: one pod under a 200m CPU limit, its API port held at a backlog
 * of three seconds of what it was just measured to serve; meanwhile every scrape of its
 * management port answers, nine in ten within the operator's scrape timeout (the slowest wait out a throttled
 * collection or two of the pod's; bench/scrape-under-overload.sh prints the latencies). Served on the API's
 * connections, those scrapes waited behind the backlog and timed out, and the operator held at one replica. An
 * integration test (failsafe): it runs the packaged jar, as the image does, in a CPU cgroup of its own (needs root).
 */
class ScrapeUnderOverloadIT {

    /** The operator's default scrape timeout (its SCRAPE_TIMEOUT). */
    static final long SCRAPE_TIMEOUT_MILLIS = 1_000;

    @Test
    void metricsAnswerWhileTheApiHasABacklogOfSeconds() throws Exception {
        Path log = Files.createTempFile("overloaded-pod", ".log");
        try (OverloadedPod pod = new OverloadedPod("200m", log)) {
            await().atMost(Duration.ofSeconds(180))
                    .pollInterval(Duration.ofMillis(500))
                    .failFast("the pod exited; its log is " + log, () -> !pod.alive())
                    .until(pod::ready);
            OverloadedPod.Figures figures = pod.overload(OverloadedPod.BACKLOG_SECONDS, 12);
            System.out.println("scrape under overload: " + figures.json());
            assertThat(figures.backlogSeconds())
                    .as("the API port's backlog, in seconds: %s", figures.json())
                    .isGreaterThan(1.5);
            assertThat(figures.scrapes()).as("scrapes made").isGreaterThanOrEqualTo(20);
            assertThat(figures.scrapesFailed())
                    .as("scrapes with no answer within 5 s: %s", figures.json())
                    .isZero();
            assertThat(figures.scrapeP90Millis())
                    .as("nine scrapes in ten: %s", figures.json())
                    .isLessThan(SCRAPE_TIMEOUT_MILLIS);
        }
        Files.deleteIfExists(log);
    }
}
