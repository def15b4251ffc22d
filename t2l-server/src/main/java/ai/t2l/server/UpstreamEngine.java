package ai.t2l.server;

import ai.t2l.lora.LoraWeights;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A {@link ChatEngine} that generates on an upstream OpenAI-compatible server with vLLM's dynamic-LoRA API
 * ({@code t2l serve --upstream}): this process makes the adapter, {@link UpstreamAdapters} puts it on the upstream,
 * and every chat is streamed from there with {@code model} set to the upstream's name for it. The server around it
 * (validation, stop strings, SSE, usage) is unchanged, so a front answers exactly like the upstream.
 *
 * <p>An upstream that forgot an adapter (restarted) answers 404 for its name: the adapter is loaded again and the
 * request retried once.
 */
public final class UpstreamEngine implements ChatEngine {
    private final UpstreamSettings settings;
    private final String baseModel;
    private final UpstreamClient client;
    private final UpstreamAdapters adapters;

    /** @param baseModel what clients call the base model here; sent as {@link UpstreamSettings#model()} if set */
    public UpstreamEngine(UpstreamSettings settings, String baseModel) {
        this.settings = settings;
        this.baseModel = baseModel;
        this.client = new UpstreamClient(settings);
        this.adapters = new UpstreamAdapters(client, settings, baseModel);
    }

    @Override
    public boolean passesUnknownModels() {
        return true;
    }

    @Override
    public boolean opensStreamLate() {
        return true;
    }

    @Override
    public void prepare(Target target) {
        if (usesAdapter(target)) {
            adapters.ensureLoaded(target.adapterId(), target.adapter());
        }
    }

    @Override
    public Result chat(List<Message> messages, Target target, Options options, TokenSink sink) {
        ObjectNode body = Exchanges.JSON.createObjectNode();
        var list = body.putArray("messages");
        messages.forEach(m -> list.addObject().put("role", m.role()).put("content", m.content()));
        return generate("/v1/chat/completions", body, target, options, sink, true);
    }

    @Override
    public Result complete(String prompt, Target target, Options options, TokenSink sink) {
        ObjectNode body = Exchanges.JSON.createObjectNode().put("prompt", prompt);
        return generate("/v1/completions", body, target, options, sink, false);
    }

    /** Only adapters the server resolved by id can be sent upstream; the weights alone name nothing there. */
    @Override
    public Result chat(List<Message> messages, LoraWeights adapter, Options options, TokenSink sink) {
        return chat(messages, adapterless(adapter), options, sink);
    }

    @Override
    public Result complete(String prompt, LoraWeights adapter, Options options, TokenSink sink) {
        return complete(prompt, adapterless(adapter), options, sink);
    }

    private Target adapterless(LoraWeights adapter) {
        if (adapter != null) {
            throw new IllegalStateException("the upstream engine serves adapters by id: call it with a Target");
        }
        return Target.base(baseModel);
    }

    private static boolean usesAdapter(Target t) {
        if (t.adapterId() == null || t.adapter() == null || t.scale() == 0.0) {
            return false;
        }
        if (t.scale() != 1.0) {
            // vLLM's API has no per-request LoRA strength; answering at full strength would be silently wrong.
            throw new IllegalArgumentException("lora_scale " + t.scale() + " is not available with an upstream"
                    + " engine (vLLM has no per-request LoRA strength): use 1, or 0 for the base model");
        }
        return true;
    }

    private String upstreamModel(Target t) {
        if (usesAdapter(t)) {
            return adapters.ensureLoaded(t.adapterId(), t.adapter());
        }
        if (t.adapterId() != null || t.model().equals(baseModel)) { // lora_scale 0, or the base by its name here
            return settings.model() != null ? settings.model() : baseModel;
        }
        return t.model(); // a name only the upstream knows: passed through
    }

    private Result generate(String path, ObjectNode body, Target target, Options options, TokenSink sink,
            boolean chat) {
        body.put("stream", true);
        body.putObject("stream_options").put("include_usage", true);
        body.put("max_tokens", options.maxTokens());
        body.put("temperature", options.temperature());
        body.put("top_p", options.topP());
        if (options.seed() != null) {
            body.put("seed", options.seed());
        }
        if (!options.stop().isEmpty()) {
            var stop = body.putArray("stop");
            options.stop().forEach(stop::add);
        }
        body.put("model", upstreamModel(target));
        UpstreamClient.Answer a = client.post(path, body);
        if (a.status() == 404 && usesAdapter(target)) {
            // The upstream lost the adapter (restarted, or evicted it meanwhile): load it again, retry once.
            adapters.forget(target.adapterId());
            body.put("model", upstreamModel(target));
            a = client.post(path, body);
        }
        if (a.body() == null) {
            throw client.failure(path, a);
        }
        return read(a.body(), sink, chat);
    }

    /** Reads OpenAI's SSE chunks, passing each text delta to {@code sink}; closing the body cancels upstream. */
    private Result read(InputStream in, TokenSink sink, boolean chat) {
        try (StallGuard guard = new StallGuard(in, settings.readTimeout())) {
            return read(in, sink, chat, guard);
        }
    }

    private Result read(InputStream in, TokenSink sink, boolean chat, StallGuard guard) {
        StringBuilder text = new StringBuilder();
        String finish = null;
        int promptTokens = 0;
        int completionTokens = 0;
        try (in; BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            for (String line = r.readLine(); line != null; line = r.readLine()) {
                guard.progress();
                if (!line.startsWith("data:")) {
                    continue; // blank separators, comments, event names
                }
                String data = line.substring(5).strip();
                if (data.equals("[DONE]")) {
                    return new Result(text.toString(), finishReason(finish), promptTokens, completionTokens);
                }
                JsonNode chunk = Exchanges.JSON.readTree(data);
                if (chunk.has("error")) {
                    // A request the upstream refuses once its stream has begun (our own server checks the prompt's
                    // length there) is still the client's error, not a gateway failure.
                    String why = UpstreamClient.message(data);
                    if ("invalid_request_error".equals(chunk.path("error").path("type").asText())) {
                        throw ApiException.badRequest(null, "the upstream " + client.url() + " refused the request: "
                                + why);
                    }
                    throw ApiException.badGateway("the upstream " + client.url() + " failed mid-answer: " + why);
                }
                JsonNode usage = chunk.path("usage");
                if (usage.isObject()) {
                    promptTokens = usage.path("prompt_tokens").asInt(promptTokens);
                    completionTokens = usage.path("completion_tokens").asInt(completionTokens);
                }
                JsonNode choice = chunk.path("choices").path(0);
                String piece = chat ? choice.path("delta").path("content").asText("")
                        : choice.path("text").asText("");
                if (!piece.isEmpty()) {
                    text.append(piece);
                    if (!sink.onToken(piece)) {
                        return new Result(text.toString(), FinishReason.CANCELLED, promptTokens, completionTokens);
                    }
                }
                if (choice.path("finish_reason").isTextual()) {
                    finish = choice.path("finish_reason").asText();
                }
            }
        } catch (IOException e) {
            if (guard.fired()) {
                throw ApiException.badGateway("the upstream " + client.url() + " sent nothing for "
                        + settings.readTimeout().toSeconds() + " s in the middle of an answer");
            }
            throw ApiException.badGateway("the upstream " + client.url() + " broke off the answer (" + e + ")");
        }
        throw ApiException.badGateway("the upstream " + client.url() + " ended the answer without [DONE]");
    }

    private static FinishReason finishReason(String upstream) {
        return "length".equals(upstream) ? FinishReason.LENGTH : FinishReason.STOP;
    }
}
