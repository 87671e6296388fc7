package io.scaledapi.nodeagent;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where this node's pods get their control groups, as a kubelet gives them: one group per pod under a parent of the
 * agent's own ({@code scaledapi-pods}), with the container's CPU limit as a CFS quota and its memory limit as the
 * group's memory limit. cgroup v1 (separate {@code cpu}, {@code cpuacct} and {@code memory} hierarchies, or
 * co-mounted ones) and cgroup v2 (one unified hierarchy with the {@code cpu} and {@code memory} controllers) are both
 * found from {@code /proc/self/mountinfo}; v1 groups nest under the agent's own group, so a sandbox's limits still
 * hold. When neither is usable, {@link #detect} says why once and pods run without limits.
 */
final class PodCgroups {

    private static final Logger log = LoggerFactory.getLogger(PodCgroups.class);
    static final String PARENT = "scaledapi-pods";
    /** The CFS period a kubelet uses, and its smallest quota. */
    static final long PERIOD_MICROS = 100_000;

    static final long MIN_QUOTA_MICROS = 1_000;

    enum Version {
        V1,
        V2
    }

    private final Version version;
    /** Controller name to the parent directory of the pods' groups in that controller's hierarchy. */
    private final Map<String, Path> parents;

    private PodCgroups(Version version, Map<String, Path> parents) {
        this.version = version;
        this.parents = parents;
    }

    /** The usable hierarchy of this machine, or empty (logged once, with the reason) when there is none. */
    static Optional<PodCgroups> detect() {
        try {
            PodCgroups found = find(
                    Files.readAllLines(Path.of("/proc/self/mountinfo")),
                    Files.readAllLines(Path.of("/proc/self/cgroup")));
            found.prepare();
            log.info(
                    "pods get a cgroup each (cgroup {}): CPU and memory limits are enforced; parents {}",
                    found.version == Version.V1 ? "v1" : "v2",
                    found.parents.values().stream().distinct().toList());
            return Optional.of(found);
        } catch (IOException | RuntimeException e) {
            log.warn("no usable cgroup for pods ({}); pods run without CPU and memory limits", e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * Picks the hierarchy from the mount table and the agent's own membership: v1 when the cpu, cpuacct and memory
     * controllers are each mounted, else v2 when the unified hierarchy offers cpu and memory.
     */
    static PodCgroups find(List<String> mountinfo, List<String> ownCgroups) {
        Map<String, Path> v1Mounts = new LinkedHashMap<>();
        Path v2Mount = null;
        for (String line : mountinfo) {
            // id parent major:minor root mount-point options [optional...] - fstype source super-options
            String[] halves = line.split(" - ", 2);
            String[] left = halves[0].split(" ");
            if (halves.length < 2 || left.length < 5) {
                continue;
            }
            String[] right = halves[1].split(" ");
            Path mountPoint = Path.of(left[4]);
            if (right[0].equals("cgroup") && right.length >= 3) {
                for (String option : right[2].split(",")) {
                    if (Set.of("cpu", "cpuacct", "memory").contains(option)) {
                        v1Mounts.put(option, mountPoint);
                    }
                }
            } else if (right[0].equals("cgroup2")) {
                v2Mount = mountPoint;
            }
        }
        Map<String, String> own = new LinkedHashMap<>();
        for (String line : ownCgroups) {
            String[] parts = line.split(":", 3);
            if (parts.length == 3) {
                for (String controller : parts[1].split(",")) {
                    own.put(controller, parts[2]);
                }
            }
        }
        if (v1Mounts.keySet().containsAll(Set.of("cpu", "cpuacct", "memory"))) {
            Map<String, Path> parents = new LinkedHashMap<>();
            v1Mounts.forEach((controller, mount) -> parents.put(
                    controller,
                    mount.resolve(relative(own.getOrDefault(controller, "/"))).resolve(PARENT)));
            return new PodCgroups(Version.V1, parents);
        }
        if (v2Mount != null) {
            Path parent = v2Mount.resolve(PARENT);
            return new PodCgroups(Version.V2, Map.of("cpu", parent, "cpuacct", parent, "memory", parent));
        }
        throw new IllegalStateException("neither cgroup v1 cpu, cpuacct and memory hierarchies nor a cgroup v2 mount");
    }

    private static String relative(String path) {
        return path.startsWith("/") ? path.substring(1) : path;
    }

    /** Creates the parents; in v2 also turns the cpu and memory controllers on for the pods' groups. */
    private void prepare() throws IOException {
        for (Path parent : parents.values()) {
            Files.createDirectories(parent);
        }
        if (version == Version.V2) {
            Path parent = parents.get("cpu");
            String available = Files.readString(parent.getParent().resolve("cgroup.controllers"));
            if (!available.contains("cpu") || !available.contains("memory")) {
                throw new IllegalStateException("the cgroup v2 hierarchy offers no cpu and memory controllers here");
            }
            Files.writeString(parent.getParent().resolve("cgroup.subtree_control"), "+cpu +memory");
            Files.writeString(parent.resolve("cgroup.subtree_control"), "+cpu +memory");
        }
    }

    /** The parent of the pods' groups in a controller's hierarchy. */
    Path parent(String controller) {
        return parents.get(controller);
    }

    /** The pod's group (created, or reused after a container restart) with its limits written. */
    PodCgroup create(String podId, ResourceRequirements resources) throws IOException {
        Map<String, Path> dirs = new LinkedHashMap<>();
        parents.forEach((controller, parent) -> dirs.put(controller, parent.resolve(podId)));
        for (Path dir : dirs.values()) {
            Files.createDirectories(dir);
        }
        PodCgroup group = new PodCgroup(version, dirs);
        group.limit(cpuMillis(resources), memoryBytes(resources));
        return group;
    }

    static Optional<Long> cpuMillis(ResourceRequirements resources) {
        return limit(resources, "cpu")
                .map(q -> Quantity.getAmountInBytes(q).movePointRight(3).longValue());
    }

    static Optional<Long> memoryBytes(ResourceRequirements resources) {
        return limit(resources, "memory").map(q -> Quantity.getAmountInBytes(q).longValue());
    }

    private static Optional<Quantity> limit(ResourceRequirements resources, String name) {
        return Optional.ofNullable(resources)
                .map(ResourceRequirements::getLimits)
                .map(l -> l.get(name));
    }

    /** A kubelet's quota for a CPU limit: millicores of each 100 ms period, at least 1 ms. */
    static long quotaMicros(long millicores) {
        return Math.max(MIN_QUOTA_MICROS, millicores * PERIOD_MICROS / 1000);
    }

    /** The procs files a launcher writes its own PID into, so that the process and its children start in the group. */
    static List<Path> procsFiles(Map<String, Path> dirs) {
        List<Path> files = new ArrayList<>();
        dirs.values().stream().distinct().forEach(dir -> files.add(dir.resolve("cgroup.procs")));
        return files;
    }
}
