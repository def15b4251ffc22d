package ai.t2l.server;

import java.time.Duration;

/** A server with the fakes in its own JVM, for testing what SIGTERM does. Prints its port, then waits. */
public final class ShutdownHookMain {
    public static void main(String[] args) throws Exception {
        FakeEngine engine = new FakeEngine();
        engine.tokenDelayMs = 200;
        T2lServer server = T2lServer.builder().port(0).generator(new FakeGenerator()).engine(engine)
                .shutdownGrace(Duration.ofSeconds(10)).build().start().installShutdownHook();
        System.out.println("PORT " + server.port());
        System.out.flush();
        server.awaitStop();
    }
}
