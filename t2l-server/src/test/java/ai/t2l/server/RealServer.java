package ai.t2l.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;

/** A server on an ephemeral loopback port with the real engine and hypernetwork on the {@link TinyWorld}. */
final class RealServer extends HttpFixture {
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("ai.t2l.server");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    final ServingStack stack;
    final T2lServer server;

    RealServer(ServerLimits limits, long cacheBudget, int maxBatch) {
        this(limits, cacheBudget, maxBatch, b -> {});
    }

    RealServer(ServerLimits limits, long cacheBudget, int maxBatch,
            java.util.function.Consumer<T2lServer.Builder> settings) {
        stack = TinyWorld.stack(maxBatch);
        try {
            T2lServer.Builder b = T2lServer.builder().port(0).generator(stack.generator()).engine(stack.engine())
                    .limits(limits).cacheBudgetBytes(cacheBudget).shutdownGrace(Duration.ofSeconds(2));
            settings.accept(b);
            server = b.build().start();
        } catch (IOException | RuntimeException e) {
            stack.close();
            throw e instanceof IOException io ? new UncheckedIOException(io) : (RuntimeException) e;
        }
    }

    static RealServer start() {
        return start(b -> {});
    }

    static RealServer start(java.util.function.Consumer<T2lServer.Builder> settings) {
        return new RealServer(ServerLimits.defaults().withMaxTokens(64).withDefaultMaxTokens(16), 64L << 20, 8,
                settings);
    }

    @Override
    T2lServer server() {
        return server;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(1));
        stack.close();
    }
}
