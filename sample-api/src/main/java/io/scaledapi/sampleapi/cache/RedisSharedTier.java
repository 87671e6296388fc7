package io.scaledapi.sampleapi.cache;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SetArgs;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.ByteArrayCodec;
import io.lettuce.core.codec.RedisCodec;
import io.lettuce.core.codec.StringCodec;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier on Redis, through one Lettuce connection (Lettuce pipelines the commands of all threads on it).
 * <ul>
 * <li>Every read is bounded by {@code REDIS_TIMEOUT} (a few milliseconds): past it the lookup goes to the origin,
 * while Lettuce's own, longer timeout (1 s) cancels the command.</li>
 * <li>While disconnected, commands are refused at once instead of queued, and the first connection is retried in
 * the background, so a pod starts and serves with Redis down.</li>
 * <li>A failing tier is logged once when it starts failing and once when it answers again; every failure is counted
 * in {@code cache_shared_errors_total}.</li>
 * </ul>
 */
public final class RedisSharedTier implements SharedTier, AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RedisSharedTier.class);
    private static final RedisCodec<String, byte[]> CODEC = RedisCodec.of(StringCodec.UTF8, ByteArrayCodec.INSTANCE);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(1);
    private static final Duration RECONNECT_DELAY = Duration.ofSeconds(1);
    private static final Duration HOT_KEYS_LIFETIME = Duration.ofMinutes(10);
    private static final int REQUEST_QUEUE = 10_000;

    private final RedisClient client;
    private final RedisURI uri;
    private final String where;
    private final long timeoutNanos;
    private final String keyPrefix;
    private final long maxValueBytes;
    private final ScheduledExecutorService connector;
    private volatile StatefulRedisConnection<String, byte[]> connection;
    private volatile boolean closed;
    private final AtomicBoolean failing = new AtomicBoolean(false);

    private final Counter hits;
    private final Counter misses;
    private final Counter timeouts;
    private final Counter errors;
    private final Counter tooLarge;
    private final Timer getTimer;

    public RedisSharedTier(SharedTierProperties properties, MeterRegistry registry) {
        this.uri = RedisURI.create(properties.url());
        this.uri.setTimeout(COMMAND_TIMEOUT);
        this.where = (uri.isSsl() ? "rediss://" : "redis://") + uri.getHost() + ":" + uri.getPort() + "/"
                + uri.getDatabase();
        this.timeoutNanos = properties.timeout().toNanos();
        this.keyPrefix = properties.keyPrefix();
        this.maxValueBytes = properties.maxValue().toBytes();
        this.client = RedisClient.create();
        this.client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(REQUEST_QUEUE)
                .socketOptions(
                        SocketOptions.builder().connectTimeout(COMMAND_TIMEOUT).build())
                .timeoutOptions(TimeoutOptions.enabled(COMMAND_TIMEOUT))
                .build());
        this.connector = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "shared-tier-connect");
            thread.setDaemon(true);
            return thread;
        });
        this.hits = Counter.builder("cache.gets")
                .tag("cache", "shared")
                .tag("result", "hit")
                .description("Lookups in the shared tier")
                .register(registry);
        this.misses = Counter.builder("cache.gets")
                .tag("cache", "shared")
                .tag("result", "miss")
                .description("Lookups in the shared tier")
                .register(registry);
        this.timeouts = Counter.builder("cache.shared.errors")
                .tag("reason", "timeout")
                .description("Shared-tier calls that failed; the origin served instead")
                .register(registry);
        this.errors = Counter.builder("cache.shared.errors")
                .tag("reason", "error")
                .description("Shared-tier calls that failed; the origin served instead")
                .register(registry);
        this.tooLarge = Counter.builder("cache.shared.skipped")
                .tag("reason", "too_large")
                .description("Responses not stored in the shared tier")
                .register(registry);
        this.getTimer = Timer.builder("cache.shared.latency")
                .tag("operation", "get")
                .description("Time for a shared-tier read, answered or not")
                .register(registry);
        Gauge.builder("cache.shared.connected", this, tier -> tier.connected() ? 1 : 0)
                .description("1 while the connection to the shared tier is open")
                .register(registry);
        connect();
    }

    private void connect() {
        if (closed) {
            return;
        }
        client.connectAsync(CODEC, uri).whenComplete((opened, failure) -> {
            if (failure == null) {
                connection = opened;
                failing.set(false);
                log.info("shared tier {} connected", where);
                return;
            }
            if (failing.compareAndSet(false, true)) {
                log.warn(
                        "shared tier {} cannot be reached ({}); serving from the local cache and the origin, retrying every {} s",
                        where,
                        rootMessage(failure),
                        RECONNECT_DELAY.toSeconds());
            }
            if (!closed) {
                connector.schedule(this::connect, RECONNECT_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            }
        });
    }

    public boolean connected() {
        StatefulRedisConnection<String, byte[]> current = connection;
        return current != null && current.isOpen();
    }

    @Override
    public CompletableFuture<SharedEntry> get(String key) {
        RedisAsyncCommands<String, byte[]> commands = commands();
        if (commands == null) {
            errors.increment();
            return CompletableFuture.completedFuture(null);
        }
        long start = System.nanoTime();
        String stored = keyPrefix + key;
        CompletableFuture<SharedEntry> read = commands.get(stored)
                .toCompletableFuture()
                .thenCombine(commands.pttl(stored).toCompletableFuture(), RedisSharedTier::entryOf);
        return read.orTimeout(timeoutNanos, TimeUnit.NANOSECONDS).handle((entry, failure) -> {
            getTimer.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
            if (failure != null) {
                failed(failure);
                return null;
            }
            answered();
            (entry == null ? misses : hits).increment();
            return entry;
        });
    }

    @Override
    public CompletableFuture<Map<String, SharedEntry>> getAll(List<String> keys) {
        RedisAsyncCommands<String, byte[]> commands = commands();
        if (commands == null || keys.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        List<CompletableFuture<SharedEntry>> reads = new ArrayList<>(keys.size());
        for (String key : keys) {
            String stored = keyPrefix + key;
            reads.add(commands.get(stored)
                    .toCompletableFuture()
                    .thenCombine(commands.pttl(stored).toCompletableFuture(), RedisSharedTier::entryOf)
                    .exceptionally(failure -> null));
        }
        return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(done -> {
            Map<String, SharedEntry> found = new LinkedHashMap<>();
            for (int i = 0; i < keys.size(); i++) {
                SharedEntry entry = reads.get(i).join();
                if (entry != null) {
                    found.put(keys.get(i), entry);
                }
            }
            return found;
        });
    }

    /** A stored value and its remaining lifetime; null when the key is gone, has no expiry, or is unreadable. */
    private static SharedEntry entryOf(byte[] value, Long pttl) {
        if (value == null || pttl == null || pttl <= 0) {
            return null;
        }
        return SharedEntry.decode(value, pttl);
    }

    @Override
    public void put(String key, SharedEntry entry, long freshMillis) {
        if (freshMillis <= 0) {
            return;
        }
        byte[] value = entry.encode();
        if (value.length > maxValueBytes) {
            tooLarge.increment();
            log.debug(
                    "not storing {} in the shared tier: {} bytes, over REDIS_MAX_VALUE ({} bytes)",
                    key,
                    value.length,
                    maxValueBytes);
            return;
        }
        RedisAsyncCommands<String, byte[]> commands = commands();
        if (commands == null) {
            errors.increment();
            return;
        }
        commands.set(keyPrefix + key, value, SetArgs.Builder.px(freshMillis)).whenComplete((ok, failure) -> {
            if (failure != null) {
                failed(failure);
            }
        });
    }

    @Override
    public CompletableFuture<Void> publishHotKeys(String cacheName, List<String> keys) {
        RedisAsyncCommands<String, byte[]> commands = commands();
        if (commands == null || keys.isEmpty()) {
            return CompletableFuture.completedFuture(null);
        }
        byte[] list = String.join("\n", keys).getBytes(StandardCharsets.UTF_8);
        return commands.set(hotKeysKey(cacheName), list, SetArgs.Builder.px(HOT_KEYS_LIFETIME.toMillis()))
                .toCompletableFuture()
                .handle((ok, failure) -> {
                    if (failure != null) {
                        failed(failure);
                    }
                    return null;
                });
    }

    @Override
    public CompletableFuture<List<String>> hotKeys(String cacheName) {
        RedisAsyncCommands<String, byte[]> commands = commands();
        if (commands == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        return commands.get(hotKeysKey(cacheName))
                .toCompletableFuture()
                .thenApply(list -> list == null || list.length == 0
                        ? List.<String>of()
                        : List.of(new String(list, StandardCharsets.UTF_8).split("\n")))
                .exceptionally(failure -> {
                    failed(failure);
                    return List.of();
                });
    }

    private String hotKeysKey(String cacheName) {
        return keyPrefix + "hot-keys:" + cacheName;
    }

    /** The commands of an open connection, or null before the first connection. */
    private RedisAsyncCommands<String, byte[]> commands() {
        StatefulRedisConnection<String, byte[]> current = connection;
        return current == null ? null : current.async();
    }

    private void failed(Throwable failure) {
        Throwable cause =
                failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
        (cause instanceof TimeoutException ? timeouts : errors).increment();
        if (failing.compareAndSet(false, true)) {
            log.warn(
                    "shared tier {} is failing ({}); lookups go to the origin until it answers again",
                    where,
                    cause instanceof TimeoutException ? "no answer within REDIS_TIMEOUT" : rootMessage(cause));
        }
    }

    private void answered() {
        if (failing.get() && failing.compareAndSet(true, false)) {
            log.info("shared tier {} answers again", where);
        }
    }

    private static String rootMessage(Throwable failure) {
        Throwable root = failure;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getClass().getSimpleName() + (root.getMessage() == null ? "" : ": " + root.getMessage());
    }

    @Override
    public void close() {
        closed = true;
        connector.shutdownNow();
        StatefulRedisConnection<String, byte[]> current = connection;
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
    }
}
