package ai.t2l.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** SIGTERM to a server process: the stream in flight completes, then the process exits. */
class SigtermTest {
    @Test
    void sigtermDrainsTheStreamInFlight() throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"),
                ShutdownHookMain.class.getName()).redirectErrorStream(true).start();
        try {
            BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
            int port = -1;
            for (String line; port < 0 && (line = out.readLine()) != null; ) {
                if (line.startsWith("PORT ")) {
                    port = Integer.parseInt(line.substring(5).trim());
                }
            }
            assertTrue(port > 0, "the child server printed its port");
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/chat/completions"))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"fake-llama\", \"stream\": true, "
                            + "\"messages\": [{\"role\": \"user\", \"content\": \"one two three four\"}]}"))
                    .build();
            CompletableFuture<HttpResponse<String>> stream = http.sendAsync(req, HttpResponse.BodyHandlers.ofString());
            Thread.sleep(500); // the 7-token answer takes about 1.4 s: stop arrives mid-stream
            p.destroy(); // SIGTERM on Linux
            HttpResponse<String> r = stream.get(20, TimeUnit.SECONDS);
            List<String> data = ServerFixture.sseData(r.body());
            assertEquals("[DONE]", data.get(data.size() - 1), "the stream finished: " + r.body());
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the process exited");
        } finally {
            p.destroyForcibly();
        }
    }
}
