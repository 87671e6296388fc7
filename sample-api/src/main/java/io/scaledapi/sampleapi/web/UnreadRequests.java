package io.scaledapi.sampleapi.web;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Requests sent to this replica's API port that it has not read yet: the connections to that port whose kernel receive
 * queue holds bytes. A CPU-throttled replica reads requests only as fast as it serves them (one event loop reads and
 * serves), so a count of requests kept as they are read lags by the replica's backlog; the backlog itself is in the
 * kernel, where {@code /proc/net/tcp} and {@code tcp6} show it for the pod's own network namespace. Each connection
 * with unread bytes counts as one request: HTTP/1.1 clients and proxies send one request at a time on a connection, so
 * this is exact for them and a floor for pipelining ones. Read on a thread of its own every
 * {@code UNREAD_REQUESTS_INTERVAL} (1 s); a scrape gets the last count.
 */
public final class UnreadRequests implements AutoCloseable {

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

    /** The requests waiting now, read from the tables; NaN before the port is known or where none can be read. */
    public double count() {
        int p = port;
        if (p < 0) {
            return Double.NaN;
        }
        int total = 0;
        boolean read = false;
        for (Path table : tables) {
            try {
                total += count(Files.readAllBytes(table), p);
                read = true;
            } catch (IOException e) {
                // tcp6 is missing where IPv6 is off; one readable table is enough.
            }
        }
        return read ? total : Double.NaN;
    }

    /**
     * What the last background read found (NaN before the first): the gauge a scrape reads. The kernel writes a line
     * per socket in the namespace for each read, out of the pod's own CPU limit, so a read of thousands of connections
     * on a throttled pod takes tens of milliseconds; a scrape must not wait for it (ScrapeUnderOverloadIT).
     */
    public double latest() {
        return latest;
    }

    /** Reads the tables every {@code every} on a daemon thread of its own, until {@link #close()}. */
    public void start(Duration every) {
        long millis = every.toMillis();
        if (millis <= 0) {
            throw new IllegalArgumentException("UNREAD_REQUESTS_INTERVAL must be 1ms or more, got " + every);
        }
        reader.scheduleWithFixedDelay(() -> latest = count(), 0, millis, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        reader.shutdownNow();
    }

    private volatile double latest = Double.NaN;
    private final ScheduledExecutorService reader = Executors.newSingleThreadScheduledExecutor(runnable -> {
        Thread thread = new Thread(runnable, "unread-requests");
        thread.setDaemon(true);
        return thread;
    });

    /**
     * The established connections to local port {@code port} with bytes in their receive queue, in a
     * {@code /proc/net/tcp} table ({@code sl local_address rem_address st tx_queue:rx_queue ...}, addresses and queues
     * in hex). Parsed as bytes, without a string per line.
     */
    static int count(byte[] table, int port) {
        int waiting = 0;
        int n = table.length;
        int i = 0;
        int[] start = new int[5];
        int[] end = new int[5];
        while (i < n) {
            int lineEnd = i;
            while (lineEnd < n && table[lineEnd] != '\n') {
                lineEnd++;
            }
            int field = 0;
            int j = i;
            while (field < 5) {
                while (j < lineEnd && table[j] == ' ') {
                    j++;
                }
                if (j == lineEnd) {
                    break;
                }
                start[field] = j;
                while (j < lineEnd && table[j] != ' ') {
                    j++;
                }
                end[field++] = j;
            }
            if (field == 5 && waiting(table, start, end, port)) {
                waiting++;
            }
            i = lineEnd + 1;
        }
        return waiting;
    }

    private static boolean waiting(byte[] t, int[] start, int[] end, int port) {
        // st: "01" is TCP_ESTABLISHED
        if (end[3] - start[3] != 2 || t[start[3]] != '0' || t[start[3] + 1] != '1') {
            return false;
        }
        int colon = lastIndexOf(t, start[1], end[1], (byte) ':');
        int queues = lastIndexOf(t, start[4], end[4], (byte) ':');
        if (colon < 0 || queues < 0) {
            return false;
        }
        return hex(t, colon + 1, end[1]) == port && hex(t, queues + 1, end[4]) > 0;
    }

    private static int lastIndexOf(byte[] t, int from, int to, byte b) {
        for (int k = to - 1; k >= from; k--) {
            if (t[k] == b) {
                return k;
            }
        }
        return -1;
    }

    /** The hex number in {@code t[from, to)}; -1 where it is not one. */
    private static long hex(byte[] t, int from, int to) {
        if (from >= to || to - from > 15) {
            return -1;
        }
        long value = 0;
        for (int k = from; k < to; k++) {
            int digit = Character.digit(t[k], 16);
            if (digit < 0) {
                return -1;
            }
            value = value * 16 + digit;
        }
        return value;
    }
}
