package io.scaledapi.sampleapi.connections;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import reactor.netty.NettyPipeline;
import reactor.netty.http.server.HttpServer;

/**
 * The API server's {@link ConnectionProperties}, on its Netty pipeline:
 * <ul>
 * <li>a connection past {@code maxOpen} is closed as soon as it is accepted;</li>
 * <li>a request whose head has not all arrived {@code headerTimeout} after its first byte has its connection closed
 * (the idle timeout covers a connection that sends nothing);</li>
 * <li>a request whose body has not all arrived {@code requestTimeout} after its head fails (Reactor Netty's own).</li>
 * </ul>
 * Each is counted in {@code http.server.connections.closed{reason}}.
 */
public final class ConnectionLimits {

    private final ConnectionProperties properties;
    private final AtomicInteger open = new AtomicInteger();
    private final Counter overLimit;
    private final Counter slowHead;

    public ConnectionLimits(ConnectionProperties properties, MeterRegistry registry) {
        this.properties = properties;
        this.overLimit = closed(registry, "max_open");
        this.slowHead = closed(registry, "header_timeout");
        registry.gauge("http.server.connections.open", open);
    }

    private static Counter closed(MeterRegistry registry, String reason) {
        return Counter.builder("http.server.connections.closed")
                .tag("reason", reason)
                .description("Connections the API server closed because they broke a bound")
                .register(registry);
    }

    /** The server with these bounds. */
    public HttpServer apply(HttpServer server) {
        return server.requestTimeout(properties.requestTimeout()).doOnChannelInit((observer, channel, remote) -> {
            if (open.incrementAndGet() > properties.maxOpen()) {
                open.decrementAndGet();
                overLimit.increment();
                channel.close();
                return;
            }
            channel.closeFuture().addListener(done -> open.decrementAndGet());
            guardHeads(channel);
        });
    }

    /** Two handlers around the HTTP codec: raw bytes arm the timer, a decoded head disarms it, a sent response resets it. */
    private void guardHeads(Channel channel) {
        ChannelPipeline pipeline = channel.pipeline();
        HeadTimer timer = new HeadTimer();
        if (pipeline.get(NettyPipeline.HttpCodec) == null) {
            return; // not an HTTP/1.1 pipeline (none is configured otherwise here)
        }
        pipeline.addBefore(NettyPipeline.HttpCodec, "scaledapi.headStart", timer.start);
        pipeline.addAfter(NettyPipeline.HttpCodec, "scaledapi.headEnd", timer.end);
    }

    /** One connection's timer for the head of the request being read. */
    private final class HeadTimer {
        private ScheduledFuture<?> pending;
        private boolean inRequest;

        final ChannelInboundHandlerAdapter start = new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (!inRequest && pending == null && msg instanceof ByteBuf bytes && bytes.isReadable()) {
                    pending = ctx.executor()
                            .schedule(
                                    () -> {
                                        slowHead.increment();
                                        ctx.channel().close();
                                    },
                                    properties.headerTimeout().toNanos(),
                                    TimeUnit.NANOSECONDS);
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void channelInactive(ChannelHandlerContext ctx) {
                cancel();
                ctx.fireChannelInactive();
            }
        };

        final ChannelDuplexHandler end = new ChannelDuplexHandler() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof HttpRequest) {
                    cancel();
                    inRequest = true;
                }
                ctx.fireChannelRead(msg);
            }

            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                if (msg instanceof LastHttpContent) {
                    inRequest = false; // the next bytes start the next request's head
                }
                ctx.write(msg, promise);
            }
        };

        private void cancel() {
            if (pending != null) {
                pending.cancel(false);
                pending = null;
            }
        }
    }
}
