package io.scaledapi.sampleapi;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.sync.RedisCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * A real {@code redis-server} (Debian's package, which dev/test installs) on 127.0.0.1 and a free port, with no
 * persistence, started for a test and stopped by its PID. {@link #commands()} is a separate client for the test's own
 * checks.
 */
public final class RedisServer implements AutoCloseable {

    private final int port;
    private final String password;
    private final Path directory;
    private Process process;
    private RedisClient client;
    private StatefulRedisConnection<String, String> connection;
    private StatefulRedisConnection<String, byte[]> binaryConnection;

    public RedisServer() {
        this(null);
    }

    /** A server that requires {@code password} (AUTH); {@link #url()} leaves it out, as a pod's REDIS_URL would. */
    public RedisServer(String password) {
        this.password = password;
        this.port = freePort();
        try {
            this.directory = Files.createTempDirectory("redis-test");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        start();
    }

    /** Starts the server (again, on the same port, empty). */
    public void start() {
        String binary = findBinary();
        try {
            process = new ProcessBuilder(
                            binary,
                            "--bind",
                            "127.0.0.1",
                            "--port",
                            Integer.toString(port),
                            "--save",
                            "",
                            "--appendonly",
                            "no",
                            "--dir",
                            directory.toString(),
                            "--protected-mode",
                            "yes",
                            "--requirepass",
                            password == null ? "" : password)
                    .redirectErrorStream(true)
                    .redirectOutput(directory.resolve("redis.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        client = RedisClient.create(password == null ? url() : "redis://:" + password + "@127.0.0.1:" + port);
        await().atMost(Duration.ofSeconds(10)).ignoreExceptions().until(() -> {
            connection = client.connect();
            return "PONG".equals(connection.sync().ping());
        });
        binaryConnection = client.connect(RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE));
    }

    private static String findBinary() {
        for (String candidate : new String[] {"/usr/bin/redis-server", "/usr/local/bin/redis-server"}) {
            if (new File(candidate).canExecute()) {
                return candidate;
            }
        }
        throw new IllegalStateException("redis-server is not installed: run dev/install-prerequisites "
                + "(or apt-get install -y redis-server); the shared-tier tests need a real Redis");
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public RedisCommands<String, String> commands() {
        return connection.sync();
    }

    /** Commands whose values are raw bytes, to plant what a pod would not write. */
    public RedisCommands<String, byte[]> binary() {
        return binaryConnection.sync();
    }

    /** Kills the server at once, as a crash would. */
    public void kill() {
        connection.close();
        binaryConnection.close();
        client.shutdown();
        process.destroyForcibly();
        await().atMost(Duration.ofSeconds(10)).until(() -> !process.isAlive());
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            kill();
        }
    }

    private static int freePort() {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
