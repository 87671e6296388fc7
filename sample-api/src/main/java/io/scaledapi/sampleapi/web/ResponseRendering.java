package io.scaledapi.sampleapi.web;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.zip.CRC32C;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The CPU a heavier API spends rendering each response (templating, serialisation, compression), emulated: with
 * {@code RENDER_CPU_TIME} (for example {@code 2ms}; default 0, none) every API response with a body costs that much
 * CPU time of the thread that writes it, measured with the thread's own CPU clock, so under a CPU limit a throttled
 * thread still pays the full amount and one pod's capacity is bounded as a real one's is. It costs CPU, never sleeps:
 * the work is checksumming the body again and again.
 *
 * @param cpuTime CPU time per response body; zero turns the emulation off
 */
@ConfigurationProperties("render")
public record ResponseRendering(@DefaultValue("0") Duration cpuTime) {

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    public ResponseRendering {
        if (cpuTime == null || cpuTime.isNegative() || cpuTime.compareTo(Duration.ofSeconds(1)) > 0) {
            throw new IllegalArgumentException(
                    "RENDER_CPU_TIME must be a duration from 0 to 1s such as 500us or 2ms, got " + cpuTime);
        }
        if (!cpuTime.isZero() && !THREADS.isCurrentThreadCpuTimeSupported()) {
            throw new IllegalArgumentException(
                    "RENDER_CPU_TIME needs the thread CPU clock, which this JVM does not offer");
        }
    }

    /** Spends the configured CPU time on {@code body}; returns the last checksum, so the work cannot be optimised away. */
    public long render(byte[] body) {
        long nanos = cpuTime.toNanos();
        if (nanos == 0 || body == null) {
            return 0;
        }
        long until = THREADS.getCurrentThreadCpuTime() + nanos;
        CRC32C crc = new CRC32C();
        do {
            crc.update(body);
        } while (THREADS.getCurrentThreadCpuTime() < until);
        return crc.getValue();
    }
}
