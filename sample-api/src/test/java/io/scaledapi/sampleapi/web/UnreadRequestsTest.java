package io.scaledapi.sampleapi.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class UnreadRequestsTest {

    /** Lines as /proc/net/tcp writes them; port 8080 is 1F90, 9090 is 2382. */
    private static final List<String> TABLE = List.of(
            "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode",
            // listening on 8080, two connections waiting to be accepted: not requests on a connection yet
            "   0: 00000000:1F90 00000000:0000 0A 00000000:00000002 00:00000000 00000000  1000        0 1 1",
            // established on 8080 with 78 bytes unread: a request
            "   1: 0100007F:1F90 0100007F:D431 01 00000000:0000004E 00:00000000 00000000  1000        0 2 1",
            // established on 8080, nothing unread: idle keep-alive
            "   2: 0100007F:1F90 0100007F:D432 01 00000000:00000000 00:00000000 00000000  1000        0 3 1",
            // another port with bytes unread
            "   3: 0100007F:2382 0100007F:D433 01 00000000:00000010 00:00000000 00000000  1000        0 4 1",
            // the client's end of a connection to 8080 (remote port 8080), bytes unread: the client's, not ours
            "   4: 0100007F:D434 0100007F:1F90 01 00000000:00000020 00:00000000 00000000  1000        0 5 1",
            // closing on 8080 with bytes unread: the client gave up
            "   5: 0100007F:1F90 0100007F:D435 08 00000000:00000030 00:00000000 00000000  1000        0 6 1",
            // IPv6 established on 8080 with bytes unread
            "   6: 0000000000000000FFFF00000100007F:1F90 0000000000000000FFFF00000100007F:D436 01 00000000:00000100"
                    + " 00:00000000 00000000  1000        0 7 1");

    @Test
    void countsEstablishedConnectionsToThePortWithBytesUnread() {
        byte[] table = String.join("\n", TABLE).getBytes(StandardCharsets.US_ASCII);
        assertThat(UnreadRequests.count(table, 8080)).isEqualTo(2);
        assertThat(UnreadRequests.count(table, 9090)).isEqualTo(1);
        assertThat(UnreadRequests.count(table, 7070)).isZero();
        assertThat(UnreadRequests.count(new byte[0], 8080)).isZero();
        assertThat(UnreadRequests.count("garbage\n\n   \n".getBytes(StandardCharsets.US_ASCII), 8080))
                .isZero();
    }

    @Test
    void readInTheBackgroundForTheGauge() {
        try (UnreadRequests unread = new UnreadRequests()) {
            assertThat(unread.latest()).as("before the first read").isNaN();
            unread.port(8080);
            unread.start(Duration.ofMillis(50));
            await().atMost(Duration.ofSeconds(5)).until(() -> !Double.isNaN(unread.latest()));
            assertThat(unread.latest()).isGreaterThanOrEqualTo(0);
        }
        try (UnreadRequests unread = new UnreadRequests()) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> unread.start(Duration.ZERO))
                    .hasMessageContaining("UNREAD_REQUESTS_INTERVAL");
        }
    }

    @Test
    void unknownUntilThePortIsBoundAndWhereNoTableIsReadable() {
        assertThat(new UnreadRequests().count()).isNaN();
        UnreadRequests missing = new UnreadRequests(List.of(Path.of("/nonexistent/tcp")));
        missing.port(8080);
        assertThat(missing.count()).isNaN();
    }

    /** A server that accepts and never reads: what a replica whose only event loop is busy serving looks like. */
    @Test
    void seesRequestsSentToASocketThatHasNotReadThem() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            UnreadRequests unread = new UnreadRequests();
            unread.port(server.getLocalPort());
            List<Socket> clients = new ArrayList<>();
            List<Socket> accepted = new ArrayList<>();
            try {
                for (int i = 0; i < 3; i++) {
                    clients.add(new Socket(server.getInetAddress(), server.getLocalPort()));
                    accepted.add(server.accept());
                }
                for (int i = 0; i < 2; i++) {
                    OutputStream out = clients.get(i).getOutputStream();
                    out.write("GET /api/items/1 HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
                await().atMost(Duration.ofSeconds(5)).until(() -> unread.count() == 2);
                var in = accepted.get(0).getInputStream();
                in.readNBytes(in.available()); // the request is read: it is the replica's now, no longer waiting
                await().atMost(Duration.ofSeconds(5)).until(() -> unread.count() == 1);
            } finally {
                for (Socket s : clients) {
                    s.close();
                }
                for (Socket s : accepted) {
                    s.close();
                }
            }
        }
    }
}
