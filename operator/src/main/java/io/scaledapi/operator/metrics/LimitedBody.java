package io.scaledapi.operator.metrics;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Flow;

/**
 * A response body read as text up to a bound: a metrics endpoint that answers a 100 MB body is cut off at the bound
 * (the connection is dropped), so a broken pod never costs the operator more than that much memory. A response that
 * is not 200 is refused without reading its body.
 */
final class LimitedBody implements HttpResponse.BodySubscriber<String> {

    /** A Prometheus page of a few hundred series is tens of KiB; a thousand times that is no metrics page. */
    static final int MAX_BYTES = 4 * 1024 * 1024;

    private final CompletableFuture<String> result = new CompletableFuture<>();
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    private final int max;
    private final String refusal;
    private Flow.Subscription subscription;

    private LimitedBody(int max, String refusal) {
        this.max = max;
        this.refusal = refusal;
    }

    /** Reads a 200's body up to {@code max} bytes; any other status fails with a message naming it. */
    static HttpResponse.BodyHandler<String> handler(String path, int max) {
        return info ->
                new LimitedBody(max, info.statusCode() == 200 ? null : path + " answered HTTP " + info.statusCode());
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        this.subscription = subscription;
        if (refusal != null) {
            subscription.cancel();
            result.completeExceptionally(new ScrapeException(ScrapeFailure.HTTP_STATUS, refusal));
        } else {
            subscription.request(Long.MAX_VALUE);
        }
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
        if (result.isDone()) {
            return;
        }
        for (ByteBuffer item : items) {
            if (bytes.size() + item.remaining() > max) {
                subscription.cancel();
                result.completeExceptionally(new ScrapeException(
                        ScrapeFailure.TOO_LARGE, "the metrics body is over " + (max / 1024) + " KiB"));
                return;
            }
            byte[] chunk = new byte[item.remaining()];
            item.get(chunk);
            bytes.write(chunk, 0, chunk.length);
        }
    }

    @Override
    public void onError(Throwable throwable) {
        result.completeExceptionally(throwable);
    }

    @Override
    public void onComplete() {
        result.complete(bytes.toString(StandardCharsets.UTF_8));
    }

    @Override
    public CompletionStage<String> getBody() {
        return result;
    }
}
