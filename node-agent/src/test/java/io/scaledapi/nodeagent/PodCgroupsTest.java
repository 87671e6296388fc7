package io.scaledapi.nodeagent;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Which hierarchy the agent picks from a mount table, where the pods' groups go, and a kubelet's quota arithmetic. */
class PodCgroupsTest {

    static final String V1_SEPARATE = """
            31 23 0:28 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            32 31 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            33 31 0:30 / /sys/fs/cgroup/cpuacct rw,relatime - cgroup cgroup rw,cpuacct
            35 31 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            41 31 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
    static final String V1_COMOUNTED = """
            25 24 0:22 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid shared:9 - cgroup cgroup rw,cpu,cpuacct
            26 24 0:23 / /sys/fs/cgroup/memory rw,nosuid shared:10 - cgroup cgroup rw,memory
            """;
    static final String V2_ONLY = """
            29 23 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:4 - cgroup2 cgroup2 rw,nsdelegate
            """;
    static final String NONE = """
            22 1 0:21 / /proc rw,nosuid - proc proc rw
            """;

    @Test
    void separateV1HierarchiesNestUnderTheAgentsOwnGroups() {
        PodCgroups found = PodCgroups.find(
                V1_SEPARATE.lines().toList(), List.of("4:memory:/process_api/abc", "2:cpuacct:/", "1:cpu:/", "0::/"));
        assertThat(found.parent("cpu")).isEqualTo(Path.of("/sys/fs/cgroup/cpu/scaledapi-pods"));
        assertThat(found.parent("cpuacct")).isEqualTo(Path.of("/sys/fs/cgroup/cpuacct/scaledapi-pods"));
        assertThat(found.parent("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/process_api/abc/scaledapi-pods"));
    }

    @Test
    void coMountedV1ControllersShareOneDirectory() {
        PodCgroups found =
                PodCgroups.find(V1_COMOUNTED.lines().toList(), List.of("3:cpu,cpuacct:/agent", "2:memory:/agent"));
        assertThat(found.parent("cpu"))
                .isEqualTo(Path.of("/sys/fs/cgroup/cpu,cpuacct/agent/scaledapi-pods"))
                .isEqualTo(found.parent("cpuacct"));
        assertThat(found.parent("memory")).isEqualTo(Path.of("/sys/fs/cgroup/memory/agent/scaledapi-pods"));
    }

    @Test
    void aV2OnlyMachineUsesTheUnifiedHierarchy() {
        PodCgroups found = PodCgroups.find(V2_ONLY.lines().toList(), List.of("0::/init.scope"));
        assertThat(found.parent("cpu"))
                .isEqualTo(Path.of("/sys/fs/cgroup/scaledapi-pods"))
                .isEqualTo(found.parent("memory"));
    }

    @Test
    void noCgroupMountIsRefusedWithTheReason() {
        assertThatThrownBy(() -> PodCgroups.find(NONE.lines().toList(), List.of()))
                .hasMessageContaining("neither cgroup v1")
                .hasMessageContaining("cgroup v2");
    }

    @Test
    void limitsBecomeAKubeletsQuotaAndBytes() {
        var resources = new ResourceRequirementsBuilder()
                .addToLimits("cpu", new Quantity("250m"))
                .addToLimits("memory", new Quantity("256Mi"))
                .build();
        assertThat(PodCgroups.cpuMillis(resources)).contains(250L);
        assertThat(PodCgroups.quotaMicros(250)).isEqualTo(25_000);
        assertThat(PodCgroups.quotaMicros(1500)).isEqualTo(150_000);
        assertThat(PodCgroups.quotaMicros(5)).isEqualTo(PodCgroups.MIN_QUOTA_MICROS);
        assertThat(PodCgroups.memoryBytes(resources)).contains(256L << 20);
        assertThat(PodCgroups.cpuMillis(new ResourceRequirementsBuilder()
                        .addToLimits("cpu", new Quantity("2"))
                        .build()))
                .contains(2000L);
        assertThat(PodCgroups.cpuMillis(null)).isEqualTo(Optional.empty());
    }
}
