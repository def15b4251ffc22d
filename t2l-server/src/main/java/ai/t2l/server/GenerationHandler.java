package ai.t2l.server;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.time.Instant;
import java.util.UUID;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The request flow both completion endpoints share: parse and validate everything, resolve the model (which may
 * generate an adapter), wait for a completion slot, then answer whole or as a server-sent event stream. Subclasses
 * only know their input field and their JSON shapes.
 *
 * @param <I> the parsed input: chat messages or a prompt
 */
abstract class GenerationHandler<I> extends ApiHandler {
    private static final Logger LOG = Logger.getLogger(GenerationHandler.class.getName());

    /** What every response object and chunk of one request repeats. */
    record Meta(String id, long created, String model) {}

    protected final ChatEngine engine;
    private final ModelResolver resolver;
    private final ServerLimits limits;
    private final Gate completions;
    private final String path;

    GenerationHandler(String path, ChatEngine engine, ModelResolver resolver, ServerLimits limits, Gate completions,
            Metrics metrics) {
        super(metrics);
        this.path = path;
        this.engine = engine;
        this.resolver = resolver;
        this.limits = limits;
        this.completions = completions;
    }

    protected abstract I parseInput(ObjectNode body);

    /** The request field holding the input: "messages" or "prompt". */
    protected abstract String inputField();

    protected abstract ChatEngine.Result run(I input, ChatEngine.Target target, ChatEngine.Options options,
            ChatEngine.TokenSink sink);

    protected abstract String idPrefix();

    protected abstract ObjectNode response(Meta meta, String text, String finishReason);

    /** One stream chunk; {@code first} is true for the opening chunk, {@code finishReason} non-null for the last. */
    protected abstract ObjectNode chunk(Meta meta, String delta, String finishReason, boolean first);

    @Override
    protected String route(Exchange ex) {
        return ex.rawPath().equals(path) ? path : "other";
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        if (!ex.rawPath().equals(path)) {
            throw ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
        }
        requireMethod(ex, "POST");
        ObjectNode body = Exchanges.readJsonObject(ex, limits.maxBodyBytes());
        CompletionParams.refuseUnsupported(body, inputField());
        CompletionParams params = CompletionParams.parse(body, limits);
        I input = parseInput(body); // all validation before any adapter is generated
        ModelResolver.Resolved model = resolver.resolve(params.model());
        if (model.adapterId() != null) {
            ex.setResponseHeader("X-T2L-Adapter", model.adapterId());
        }
        ChatEngine.Target target = target(model, params.loraScale());
        Meta meta = new Meta(idPrefix() + UUID.randomUUID().toString().replace("-", ""),
                Instant.now().getEpochSecond(), model.model());
        try (Gate.Permit ignored = completions.enter()) {
            engine.prepare(target);
            if (params.stream()) {
                stream(ex, meta, input, target, params);
            } else {
                whole(ex, meta, input, target, params);
            }
        }
    }

    /** The target at the request's lora_scale, which needs an adapter. */
    private static ChatEngine.Target target(ModelResolver.Resolved model, Double scale) {
        if (scale == null) {
            return new ChatEngine.Target(model.model(), model.adapterId(), model.weights(), 1.0);
        }
        if (model.weights() == null) {
            throw ApiException.badRequest("lora_scale", "lora_scale needs an adapter; '" + model.model()
                    + "' is the base model");
        }
        return new ChatEngine.Target(model.model(), model.adapterId(), model.weights(), scale);
    }

    private void whole(Exchange ex, Meta meta, I input, ChatEngine.Target target, CompletionParams params)
            throws IOException {
        StopFilter text = new StopFilter(params.options().stop(), piece -> true);
        ChatEngine.Result r = run(input, target, params.options(), text);
        text.flush();
        metrics.tokens(r.promptTokens(), r.completionTokens());
        ObjectNode out = response(meta, text.text(), finishReason(r, text));
        out.set("usage", usage(r));
        Exchanges.sendJson(ex, 200, out);
    }

    private void stream(Exchange ex, Meta meta, I input, ChatEngine.Target target, CompletionParams params)
            throws IOException {
        SseStream sse = engine.opensStreamLate() ? SseStream.late(ex, chunk(meta, "", null, true))
                : new SseStream(ex, chunk(meta, "", null, true));
        StopFilter text = new StopFilter(params.options().stop(), piece -> sse.send(chunk(meta, piece, null, false)));
        ChatEngine.Result r;
        try {
            r = run(input, target, params.options(), text);
        } catch (RuntimeException e) {
            if (!sse.opened()) {
                throw e; // nothing sent yet: answered with its status like any other request
            }
            // Headers are out: report in-band, as OpenAI does, then end the stream.
            LOG.log(Level.SEVERE, "generation failed mid-stream on " + path, e);
            sse.send(Exchanges.errorBody(e instanceof ApiException api ? api
                    : e instanceof IllegalArgumentException ? ApiException.badRequest(null, e.getMessage())
                    : ApiException.internal("generation failed: " + e)));
            return;
        }
        text.flush();
        metrics.tokens(r.promptTokens(), r.completionTokens());
        if (text.downstreamGone() || sse.broken()) {
            metrics.cancelled();
            return;
        }
        sse.send(chunk(meta, null, finishReason(r, text), false));
        if (params.includeUsage()) {
            ObjectNode last = chunk(meta, null, null, false);
            last.putArray("choices");
            last.set("usage", usage(r));
            sse.send(last);
        }
        sse.done();
    }

    private static String finishReason(ChatEngine.Result r, StopFilter text) {
        if (text.matched()) {
            return "stop";
        }
        return r.finishReason() == ChatEngine.FinishReason.LENGTH ? "length" : "stop";
    }

    private static ObjectNode usage(ChatEngine.Result r) {
        ObjectNode u = Exchanges.JSON.createObjectNode();
        u.put("prompt_tokens", r.promptTokens());
        u.put("completion_tokens", r.completionTokens());
        u.put("total_tokens", r.promptTokens() + r.completionTokens());
        return u;
    }

    /** The fields every response object starts with. */
    protected static ObjectNode envelope(Meta meta, String object) {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("id", meta.id());
        o.put("object", object);
        o.put("created", meta.created());
        o.put("model", meta.model());
        o.putNull("system_fingerprint");
        return o;
    }
}
