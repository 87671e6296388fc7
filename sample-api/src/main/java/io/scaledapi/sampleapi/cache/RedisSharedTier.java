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
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The shared tier on Redis, through one Lettuce connection (Lettuce pipelines the commands of all threads on it).
 * <ul>
 * <li>Every read is bounded by {@code REDIS_TIMEOUT} (a few milliseconds): past it the lookup goes to the origin,
 * while Lettuce's own, longer timeout (1 s) cancels the command.</li>
 * <li>While disconnected, commands are refused at once instead of queued, and the first connection is retried in
 * the background, so a pod starts and serves with Redis down.</li>
 * <li>A failing tier is logged once when it starts failing and once when it answers again, and a tier that flaps
 * once a minute at most ({@link FailureEpisodes}); every failure is counted in {@code cache_shared_errors_total}.</li>
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
    private static final Duration FAILURE_LOG_QUIET = Duration.ofMinutes(1);
    private final FailureEpisodes failures = new FailureEpisodes(FAILURE_LOG_QUIET);

    private final Counter hits;
    private final Counter misses;
    private final Counter timeouts;
    private final Counter errors;
    private final Counter tooLarge;
    private final Counter notStorable;
    private final Map<SharedEntry.Refusal, Counter> refusals = new EnumMap<>(SharedEntry.Refusal.class);
    private final Set<SharedEntry.Refusal> warnedRefusals = ConcurrentHashMap.newKeySet();
    private final Timer getTimer;

    public RedisSharedTier(SharedTierProperties properties, MeterRegistry registry) {
        this.uri = RedisURI.create(properties.url());
        this.uri.setTimeout(COMMAND_TIMEOUT);
        if (properties.password() != null && !properties.password().isEmpty()) {
            this.uri.setAuthentication(properties.password().toCharArray());
        }
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
        this.notStorable = Counter.builder("cache.shared.skipped")
                .tag("reason", "not_storable")
                .description("Responses not stored in the shared tier")
                .register(registry);
        for (SharedEntry.Refusal refusal : SharedEntry.Refusal.values()) {
            refusals.put(
                    refusal,
                    Counter.builder("cache.shared.refused")
                            .tag("reason", refusal.tag())
                            .description("Values read from the shared tier and refused; the origin served instead")
                            .register(registry));
        }
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
                failures.answered();
                log.info("shared tier {} connected", where);
                return;
            }
            if (failures.failed(System.nanoTime()) != FailureEpisodes.SILENT) {
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
        CompletableFuture<SharedEntry> read = read(commands, keyPrefix + key);
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
            reads.add(read(commands, keyPrefix + key).exceptionally(failure -> null));
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

    /**
     * A stored value and its remaining lifetime; null when the key is gone or has no expiry, or when the value is
     * refused (counted and logged once per reason). Reads at most {@code REDIS_MAX_VALUE} + 1 bytes, so a planted
     * value of any size costs this pod no more than that.
     */
    private CompletableFuture<SharedEntry> read(RedisAsyncCommands<String, byte[]> commands, String stored) {
        return commands.getrange(stored, 0, maxValueBytes)
                .toCompletableFuture()
                .thenCombine(commands.pttl(stored).toCompletableFuture(), (value, pttl) -> {
                    if (value == null || value.length == 0 || pttl == null || pttl <= 0) {
                        return null;
                    }
                    try {
                        if (value.length > maxValueBytes) {
                            throw new SharedEntry.RefusedException(
                                    SharedEntry.Refusal.TOO_LARGE, "larger than REDIS_MAX_VALUE");
                        }
                        return SharedEntry.decode(value, stored, pttl);
                    } catch (SharedEntry.RefusedException e) {
                        refused(stored, e);
                        return null;
                    }
                });
    }

    private void refused(String stored, SharedEntry.RefusedException e) {
        refusals.get(e.refusal()).increment();
        if (warnedRefusals.add(e.refusal())) {
            log.warn(
                    "shared tier {}: refused the value under {} ({}); answering from the origin instead. Something"
                            + " other than this API's pods writes to the shared tier: protect it with a password"
                            + " and a NetworkPolicy (next ones of this kind are counted in"
                            + " cache_shared_refused_total{reason=\"{}\"} and logged at DEBUG)",
                    where,
                    stored,
                    e.getMessage(),
                    e.refusal().tag());
        } else {
            log.debug("shared tier {}: refused the value under {} ({})", where, stored, e.getMessage());
        }
    }

    @Override
    public void put(String key, SharedEntry entry, long freshMillis) {
        if (freshMillis <= 0) {
            return;
        }
        if (!SharedEntry.storable(entry.status(), entry.contentType())) {
            notStorable.increment();
            return;
        }
        byte[] value = entry.encode(keyPrefix + key);
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
        String stored = hotKeysKey(cacheName);
        return commands.getrange(stored, 0, maxValueBytes)
                .toCompletableFuture()
                .thenApply(list -> {
                    if (list == null || list.length == 0) {
                        return List.<String>of();
                    }
                    if (list.length > maxValueBytes) {
                        refused(
                                stored,
                                new SharedEntry.RefusedException(
                                        SharedEntry.Refusal.TOO_LARGE, "larger than REDIS_MAX_VALUE"));
                        return List.<String>of();
                    }
                    return List.of(new String(list, StandardCharsets.UTF_8).split("\n"));
                })
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
        long unlogged = failures.failed(System.nanoTime());
        if (unlogged != FailureEpisodes.SILENT) {
            log.warn(
                    "shared tier {} is failing ({}{}); lookups go to the origin until it answers again",
                    where,
                    cause instanceof TimeoutException ? "no answer within REDIS_TIMEOUT" : rootMessage(cause),
                    unlogged == 0
                            ? ""
                            : "; it failed and answered again " + unlogged + " more time(s) since last logged");
        }
    }

    private void answered() {
        if (failures.answered()) {
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
