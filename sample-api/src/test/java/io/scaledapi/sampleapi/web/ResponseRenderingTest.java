package io.scaledapi.sampleapi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;

/** RENDER_CPU_TIME: read from the environment as documented, and paid in CPU time of the writing thread. */
class ResponseRenderingTest {

    @Test
    void eachResponseCostsTheConfiguredCpuTimeOfItsThread() {
        var threads = ManagementFactory.getThreadMXBean();
        ResponseRendering rendering = new ResponseRendering(Duration.ofMillis(20));
        byte[] body = "{\"id\":1,\"name\":\"item 1\"}".getBytes();
        long before = threads.getCurrentThreadCpuTime();
        rendering.render(body);
        long spent = threads.getCurrentThreadCpuTime() - before;
        assertThat(Duration.ofNanos(spent))
                .isGreaterThanOrEqualTo(Duration.ofMillis(20))
                .isLessThan(Duration.ofMillis(60));
    }

    @Test
    void zeroAndBodilessResponsesCostNothing() {
        var threads = ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadCpuTime();
        new ResponseRendering(Duration.ZERO).render("x".getBytes());
        new ResponseRendering(Duration.ofMillis(50)).render(null);
        assertThat(Duration.ofNanos(threads.getCurrentThreadCpuTime() - before)).isLessThan(Duration.ofMillis(20));
    }

    @Test
    void boundFromTheEnvironmentVariable() {
        var environment = new StandardEnvironment();
        environment
                .getPropertySources()
                .addFirst(new SystemEnvironmentPropertySource(
                        StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME + "-test",
                        Map.of("RENDER_CPU_TIME", "750us")));
        ResponseRendering bound = new Binder(ConfigurationPropertySources.get(environment))
                .bindOrCreate("render", ResponseRendering.class);
        assertThat(bound.cpuTime()).isEqualTo(Duration.ofNanos(750_000));
    }

    @Test
    void aNegativeOrHugeValueIsRefusedNamingTheVariable() {
        assertThatThrownBy(() -> new ResponseRendering(Duration.ofMillis(-1))).hasMessageContaining("RENDER_CPU_TIME");
        assertThatThrownBy(() -> new ResponseRendering(Duration.ofSeconds(2))).hasMessageContaining("RENDER_CPU_TIME");
    }
}
