package io.scaledapi.sampleapi.overload;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A CPU cgroup of its own for one process, with a CFS quota as a kubelet writes one for a container's CPU limit
 * (millicores of each 100 ms period): cgroup v1's {@code cpu} hierarchy, nested under this JVM's own group, or cgroup
 * v2's unified one. Both are found from {@code /proc/self/mountinfo}. Needs root.
 */
final class CpuLimitedGroup implements AutoCloseable {

    /** The CFS period a kubelet uses. */
    static final long PERIOD_MICROS = 100_000;

    private final Path dir;

    private CpuLimitedGroup(Path dir) {
        this.dir = dir;
    }

    /** A new group named {@code name} whose processes share {@code millicores} of CPU. */
    static CpuLimitedGroup create(String name, long millicores) throws IOException {
        long quota = Math.max(1_000, millicores * PERIOD_MICROS / 1000);
        List<String> mounts = Files.readAllLines(Path.of("/proc/self/mountinfo"));
        Path v1 = null;
        Path v2 = null;
        for (String line : mounts) {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            if (halves.length < 2 || left.length < 5) {
                continue;
            }
            String[] right = halves[1].split(" ");
            if (right[0].equals("cgroup")
                    && right.length >= 3
                    && List.of(right[2].split(",")).contains("cpu")) {
                v1 = Path.of(left[4]);
            } else if (right[0].equals("cgroup2")) {
                v2 = Path.of(left[4]);
            }
        }
        if (v1 != null) {
            Path dir = v1.resolve(ownGroup("cpu")).resolve(name);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cpu.cfs_period_us"), Long.toString(PERIOD_MICROS));
            Files.writeString(dir.resolve("cpu.cfs_quota_us"), Long.toString(quota));
            return new CpuLimitedGroup(dir);
        }
        if (v2 != null) {
            // At the root: a v2 group with processes of its own cannot hand controllers to its children.
            Files.writeString(v2.resolve("cgroup.subtree_control"), "+cpu");
            Path dir = v2.resolve(name);
            Files.createDirectories(dir);
            Files.writeString(dir.resolve("cpu.max"), quota + " " + PERIOD_MICROS);
            return new CpuLimitedGroup(dir);
        }
        throw new IllegalStateException("no cgroup v1 cpu hierarchy and no cgroup v2 mount: a CPU limit cannot be set");
    }

    /** This JVM's group in a v1 controller's hierarchy, relative to its mount. */
    private static String ownGroup(String controller) throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/cgroup"))) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3 && List.of(parts[1].split(",")).contains(controller)) {
                return parts[2].startsWith("/") ? parts[2].substring(1) : parts[2];
            }
        }
        return "";
    }

    /**
     * The command wrapped so that it starts inside the group: a shell writes its own PID into the group, then execs
     * the command, which keeps the PID (so signals reach the command itself).
     */
    List<String> launcher(List<String> command) {
        List<String> wrapped = new ArrayList<>(
                List.of("/bin/sh", "-c", "echo $$ > \"$1\" || exit 125; shift; exec \"$@\"", "cgroup-launcher"));
        wrapped.add(dir.resolve("cgroup.procs").toString());
        wrapped.addAll(command);
        return wrapped;
    }

    /** Kills what is left in the group (the caller has stopped its process), waits for it, and removes the group. */
    @Override
    public void close() throws Exception {
        for (String pid : Files.readAllLines(dir.resolve("cgroup.procs"))) {
            var process = ProcessHandle.of(Long.parseLong(pid.strip()));
            if (process.isPresent()) {
                process.get().destroyForcibly();
                process.get().onExit().get(10, TimeUnit.SECONDS);
            }
        }
        Files.deleteIfExists(dir);
    }
}
