package io.scaledapi.operator.metrics;

/** Where one pod's metrics are: its namespace, name, address and port, and the path. */
public record PodTarget(String namespace, String name, String ip, int port, String path) {}
