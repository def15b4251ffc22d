package ai.t2l.server;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Where {@code t2l serve --upstream} sends chats: an OpenAI-compatible server with vLLM's dynamic-LoRA endpoints
 * (POST /v1/load_lora_adapter, /v1/unload_lora_adapter), and a folder both machines read at the same path.
 *
 * @param url            the upstream's root, e.g. http://gpu-box:8000 (its API is under /v1)
 * @param adapterDir     where generated adapters are written as PEFT folders; passed to the upstream as lora_path
 * @param apiKey         sent as {@code Authorization: Bearer}; null for none
 * @param model          the upstream's name for the base model (vLLM: the served model name); null = ours
 * @param maxLoaded      most adapters kept loaded on the upstream; the least recently used beyond it is unloaded
 * @param connectTimeout to open a connection
 * @param readTimeout    for an answer to start (a load, or a chat's first bytes), and between two streamed lines
 */
public record UpstreamSettings(URI url, Path adapterDir, String apiKey, String model, int maxLoaded,
        Duration connectTimeout, Duration readTimeout) {
    public UpstreamSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(adapterDir, "adapterDir");
        if (!"http".equals(url.getScheme()) && !"https".equals(url.getScheme()) || url.getHost() == null) {
            throw new IllegalArgumentException("--upstream must be an http:// or https:// URL with a host, got '"
                    + url + "'");
        }
        if (maxLoaded < 1) {
            throw new IllegalArgumentException("the upstream's adapter limit must be at least 1, got " + maxLoaded);
        }
        String s = url.toString();
        url = URI.create(s.endsWith("/") ? s.substring(0, s.length() - 1) : s);
        adapterDir = adapterDir.toAbsolutePath().normalize();
    }

    /** Defaults: 16 adapters loaded (vLLM's CPU LoRA cache holds --max-cpu-loras), 5 s to connect, 120 s to answer. */
    public static UpstreamSettings of(URI url, Path adapterDir, String apiKey, String model) {
        return new UpstreamSettings(url, adapterDir, apiKey, model, 16, Duration.ofSeconds(5),
                Duration.ofSeconds(120));
    }

    public UpstreamSettings withMaxLoaded(int n) {
        return new UpstreamSettings(url, adapterDir, apiKey, model, n, connectTimeout, readTimeout);
    }
}
