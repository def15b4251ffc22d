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
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** SIGTERM to a server process: the stream in flight completes, then the process exits. */
@Timeout(120)
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
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString("{\"model\": \"fake-llama\", \"stream\": true, "
                            + "\"messages\": [{\"role\": \"user\", \"content\": \"one two three four\"}]}"))
                    .build();
            HttpResponse<java.util.stream.Stream<String>> r = http.send(req, HttpResponse.BodyHandlers.ofLines());
            List<String> data = new java.util.ArrayList<>();
            java.util.Iterator<String> lines = r.body().iterator();
            while (lines.hasNext()) {
                String line = lines.next();
                if (line.startsWith("data: ")) {
                    data.add(line.substring(6));
                    if (data.size() == 2) {
                        p.destroy(); // SIGTERM on Linux, once the stream has visibly begun (7 tokens, 200 ms each)
                    }
                }
            }
            assertTrue(data.size() > 2, "the stream went on after SIGTERM: " + data);
            assertEquals("[DONE]", data.get(data.size() - 1), "the stream finished: " + data);
            assertTrue(p.waitFor(20, TimeUnit.SECONDS), "the process exited");
        } finally {
            p.destroyForcibly();
        }
    }
}
