package io.scaledapi.sampleapi.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Requests sent to this replica's API port that it has not read yet: the connections to that port whose kernel receive
 * queue holds bytes. A CPU-throttled replica reads requests only as fast as it serves them (one event loop reads and
 * serves), so a count of requests kept as they are read lags by the replica's backlog; the backlog itself is in the
 * kernel, where {@code /proc/net/tcp} and {@code tcp6} show it for the pod's own network namespace. Each connection
 * with unread bytes counts as one request: HTTP/1.1 clients and proxies send one request at a time on a connection, so
 * this is exact for them and a floor for pipelining ones. Read when the metrics are scraped, on the management
 * server's own event loop.
 */
public final class UnreadRequests {

    private static final List<Path> TABLES = List.of(Path.of("/proc/net/tcp"), Path.of("/proc/net/tcp6"));
    /** The kernel's TCP_ESTABLISHED, as /proc/net/tcp writes a socket's state. */
    private static final String ESTABLISHED = "01";

    private final List<Path> tables;
    private volatile int port = -1;

    public UnreadRequests() {
        this(TABLES);
    }

    UnreadRequests(List<Path> tables) {
        this.tables = tables;
    }

    /** The API's port, once its server has bound it. */
    public void port(int port) {
        this.port = port;
    }

    /** The requests waiting now; NaN before the port is known or where no table can be read (not Linux). */
    public double count() {
        int p = port;
        if (p < 0) {
            return Double.NaN;
        }
        int total = 0;
        boolean read = false;
        for (Path table : tables) {
            try {
                total += count(Files.readAllLines(table), p);
                read = true;
            } catch (IOException e) {
                // tcp6 is missing where IPv6 is off; one readable table is enough.
            }
        }
        return read ? total : Double.NaN;
    }

    /**
     * The established connections to local port {@code port} with bytes in their receive queue, from the lines of a
     * {@code /proc/net/tcp} table ({@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses and queues
     * in hex).
     */
    static int count(List<String> lines, int port) {
        int waiting = 0;
        for (String line : lines) {
            if (waiting(line, port)) {
                waiting++;
            }
        }
        return waiting;
    }

    /** One line, field by field without a regex: a scrape may read thousands of lines on a throttled replica. */
    private static boolean waiting(String line, int port) {
        int[] start = new int[5];
        int[] end = new int[5];
        int field = 0;
        int i = 0;
        int n = line.length();
        while (field < 5) {
            while (i < n && line.charAt(i) == ' ') {
                i++;
            }
            if (i == n) {
                return false;
            }
            start[field] = i;
            while (i < n && line.charAt(i) != ' ') {
                i++;
            }
            end[field++] = i;
        }
        // sl local_address rem_address st tx_queue:rx_queue
        if (!line.startsWith(ESTABLISHED, start[3]) || end[3] - start[3] != ESTABLISHED.length()) {
            return false;
        }
        int colon = line.lastIndexOf(':', end[1] - 1);
        int queues = line.indexOf(':', start[4]);
        if (colon < start[1] || queues < 0 || queues >= end[4]) {
            return false;
        }
        return hex(line, colon + 1, end[1]) == port && hex(line, queues + 1, end[4]) > 0;
    }

    /** The hex number in {@code line[from, to)}; -1 where it is not one. */
    private static long hex(CharSequence line, int from, int to) {
        if (from >= to || to - from > 15) {
            return -1;
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(line.charAt(i), 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
