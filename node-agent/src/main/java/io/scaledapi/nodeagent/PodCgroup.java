package io.scaledapi.nodeagent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One pod's control group (a directory in each controller's hierarchy): its limits, the launcher that starts a
 * process inside it, its usage from the group's own accounting, its OOM kills, and its removal.
 */
final class PodCgroup {

    private static final Logger log = LoggerFactory.getLogger(PodCgroup.class);

    /** CPU time and working-set memory as a kubelet reports them (working set: usage less inactive file pages). */
    record Usage(long cpuNanos, long memoryWorkingSetBytes) {}

    private final PodCgroups.Version version;
    private final Map<String, Path> dirs;

    PodCgroup(PodCgroups.Version version, Map<String, Path> dirs) {
        this.version = version;
        this.dirs = dirs;
    }

    void limit(Optional<Long> cpuMillis, Optional<Long> memoryBytes) throws IOException {
        if (version == PodCgroups.Version.V1) {
            Path cpu = dirs.get("cpu");
            Files.writeString(cpu.resolve("cpu.cfs_period_us"), Long.toString(PodCgroups.PERIOD_MICROS));
            Files.writeString(
                    cpu.resolve("cpu.cfs_quota_us"),
                    cpuMillis.map(m -> Long.toString(PodCgroups.quotaMicros(m))).orElse("-1"));
            Path memory = dirs.get("memory");
            String bytes = memoryBytes.map(Object::toString).orElse("-1");
            Files.writeString(memory.resolve("memory.limit_in_bytes"), bytes);
            Path memsw = memory.resolve("memory.memsw.limit_in_bytes");
            if (Files.exists(memsw)) {
                Files.writeString(memsw, bytes); // no swap for a pod, as on a node without swap
            }
        } else {
            Path dir = dirs.get("cpu");
            Files.writeString(
                    dir.resolve("cpu.max"),
                    cpuMillis.map(m -> Long.toString(PodCgroups.quotaMicros(m))).orElse("max") + " "
                            + PodCgroups.PERIOD_MICROS);
            Files.writeString(
                    dir.resolve("memory.max"), memoryBytes.map(Object::toString).orElse("max"));
            Path swap = dir.resolve("memory.swap.max");
            if (Files.exists(swap)) {
                Files.writeString(swap, "0");
            }
        }
    }

    /**
     * The command wrapped so that it starts inside the group: a shell writes its own PID into each hierarchy's
     * procs file, then execs the command, which keeps the PID (so signals reach the command itself).
     */
    List<String> launcher(List<String> command) {
        List<String> wrapped = new ArrayList<>(List.of(
                "/bin/sh",
                "-c",
                "while [ \"$1\" != -- ]; do echo $$ > \"$1\" || exit 125; shift; done; shift; exec \"$@\"",
                "cgroup-launcher"));
        PodCgroups.procsFiles(dirs).forEach(f -> wrapped.add(f.toString()));
        wrapped.add("--");
        wrapped.addAll(command);
        return wrapped;
    }

    Usage usage() throws IOException {
        if (version == PodCgroups.Version.V1) {
            long cpu = Long.parseLong(Files.readString(dirs.get("cpuacct").resolve("cpuacct.usage"))
                    .strip());
            Path memory = dirs.get("memory");
            long used = Long.parseLong(
                    Files.readString(memory.resolve("memory.usage_in_bytes")).strip());
            return new Usage(cpu, Math.max(0, used - stat(memory.resolve("memory.stat"), "total_inactive_file")));
        }
        Path dir = dirs.get("cpu");
        long cpu = stat(dir.resolve("cpu.stat"), "usage_usec") * 1000;
        long used =
                Long.parseLong(Files.readString(dir.resolve("memory.current")).strip());
        return new Usage(cpu, Math.max(0, used - stat(dir.resolve("memory.stat"), "inactive_file")));
    }

    /** How many processes the kernel has killed in this group for running out of memory, ever. */
    long oomKills() throws IOException {
        Path memory = dirs.get("memory");
        return version == PodCgroups.Version.V1
                ? stat(memory.resolve("memory.oom_control"), "oom_kill")
                : stat(memory.resolve("memory.events"), "oom_kill");
    }

    /**
     * Kills whatever is left in the group (a container's stray children), then removes the directories; false while
     * a killed process is still leaving (the caller tries again later).
     */
    boolean remove() {
        for (Path procs : PodCgroups.procsFiles(dirs)) {
            try {
                for (String pid : Files.readAllLines(procs)) {
                    ProcessHandle.of(Long.parseLong(pid.strip())).ifPresent(ProcessHandle::destroyForcibly);
                }
            } catch (IOException | NumberFormatException e) {
                // already gone
            }
        }
        boolean removed = true;
        for (Path dir : dirs.values().stream().distinct().toList()) {
            try {
                Files.deleteIfExists(dir);
            } catch (IOException e) {
                log.debug("cgroup {} not removed yet: {}", dir, e.getMessage());
                removed = false;
            }
        }
        return removed;
    }

    private static long stat(Path file, String key) throws IOException {
        for (String line : Files.readAllLines(file)) {
            String[] parts = line.split(" ");
            if (parts.length == 2 && parts[0].equals(key)) {
                return Long.parseLong(parts[1]);
            }
        }
        return 0;
    }
}
