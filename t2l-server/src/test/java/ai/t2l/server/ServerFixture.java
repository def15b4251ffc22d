package ai.t2l.server;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;

/** A server on an ephemeral loopback port with the fakes, and a real java.net.http client to talk to it. */
final class ServerFixture extends HttpFixture {
    // Strong reference: java.util.logging keeps loggers weakly, and a collected one would forget its level.
    private static final java.util.logging.Logger QUIET = java.util.logging.Logger.getLogger("ai.t2l.server");

    static {
        QUIET.setLevel(java.util.logging.Level.WARNING);
    }

    final FakeGenerator generator;
    final FakeEngine engine;
    final T2lServer server;

    ServerFixture(FakeGenerator generator, FakeEngine engine, ServerLimits limits, long budget, Path dir) {
        this(generator, engine, limits, budget, dir, b -> {});
    }

    /** {@code settings} may change anything else on the builder (API key, allowed hosts). */
    ServerFixture(FakeGenerator generator, FakeEngine engine, ServerLimits limits, long budget, Path dir,
            java.util.function.Consumer<T2lServer.Builder> settings) {
        this.generator = generator;
        this.engine = engine;
        try {
            T2lServer.Builder b = T2lServer.builder().port(0).generator(generator).engine(engine).limits(limits)
                    .cacheBudgetBytes(budget).persistenceDir(dir).shutdownGrace(Duration.ofSeconds(2));
            settings.accept(b);
            this.server = b.build().start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static ServerFixture start() {
        return new ServerFixture(new FakeGenerator(), new FakeEngine(), ServerLimits.defaults(), 1 << 20, null);
    }

    @Override
    T2lServer server() {
        return server;
    }

    @Override
    public void close() {
        server.stop(Duration.ofSeconds(1));
    }
}
