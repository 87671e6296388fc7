package io.scaledapi.nodeagent;

import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Runs one command in a pod's cgroup with a container's limits, the node agent's own mechanism, outside any cluster:
 * for benchmarks that measure one pod's capacity under a CPU limit (bench/pod-capacity.sh). Every second it writes
 * the group's usage to the usage file as {@code cpuSeconds memoryWorkingSetBytes}. It ends when the command ends, or
 * on SIGTERM, which it passes on; then it removes the group.
 *   java -cp node-agent.jar io.scaledapi.nodeagent.PodCgroupRun --cpu 250m --memory 512Mi --usage FILE -- command...
 */
public final class PodCgroupRun {

    public static void main(String[] args) throws Exception {
        int split = Arrays.asList(args).indexOf("--");
        if (split < 0 || split == args.length - 1) {
            throw new IllegalArgumentException(
                    "usage: PodCgroupRun [--cpu 250m] [--memory 512Mi] [--usage FILE] -- command...");
        }
        var resources = new ResourceRequirementsBuilder();
        Path usageFile = null;
        for (int i = 0; i + 1 < split; i += 2) {
            switch (args[i]) {
                case "--cpu" -> resources.addToLimits("cpu", new Quantity(args[i + 1]));
                case "--memory" -> resources.addToLimits("memory", new Quantity(args[i + 1]));
                case "--usage" -> usageFile = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        PodCgroups cgroups =
                PodCgroups.detect().orElseThrow(() -> new IllegalStateException("no usable cgroup on this machine"));
        PodCgroup group = cgroups.create("run-" + ProcessHandle.current().pid(), resources.build());
        List<String> command = new ArrayList<>(Arrays.asList(args).subList(split + 1, args.length));
        Process process =
                new ProcessBuilder(group.launcher(command)).inheritIO().start();
        ScheduledExecutorService usage = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "usage");
            thread.setDaemon(true);
            return thread;
        });
        if (usageFile != null) {
            Path file = usageFile;
            usage.scheduleAtFixedRate(() -> writeUsage(group, file), 0, 1, TimeUnit.SECONDS);
        }
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            process.destroy();
                            try {
                                if (!process.waitFor(20, TimeUnit.SECONDS)) {
                                    process.destroyForcibly();
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                            usage.shutdownNow();
                            group.remove();
                        },
                        "stop"));
        int exit = process.waitFor();
        System.exit(exit);
    }

    private static void writeUsage(PodCgroup group, Path file) {
        try {
            PodCgroup.Usage now = group.usage();
            Path partial = file.resolveSibling(file.getFileName() + ".partial");
            Files.writeString(partial, now.cpuNanos() / 1e9 + " " + now.memoryWorkingSetBytes() + "\n");
            Files.move(partial, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            System.err.println("PodCgroupRun: usage: " + e.getMessage());
        }
    }
}
