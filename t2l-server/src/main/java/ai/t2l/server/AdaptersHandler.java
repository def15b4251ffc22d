package ai.t2l.server;

import ai.t2l.io.AtomicFiles;
import ai.t2l.lora.PeftAdapter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

/**
 * The adapter collection: POST /v1/adapters (generate or reuse), GET /v1/adapters, GET and DELETE
 * /v1/adapters/{id}, GET /v1/adapters/{id}/download (a zip of the PEFT folder).
 */
final class AdaptersHandler extends ApiHandler {
    static final String BASE = "/v1/adapters";

    private final AdapterCache cache;
    private final ServerLimits limits;
    private final String baseModel;
    private final String peftBaseModel;

    /** @param peftBaseModel what downloaded PEFT folders record as their base: a hub id or an absolute path */
    AdaptersHandler(AdapterCache cache, ServerLimits limits, String baseModel, String peftBaseModel, Metrics metrics) {
        super(metrics);
        this.cache = cache;
        this.limits = limits;
        this.baseModel = baseModel;
        this.peftBaseModel = peftBaseModel;
    }

    /** The path after /v1/adapters split on '/', raw (still percent-encoded) so "%2F" can never become a slash. */
    private static String[] segments(Exchange ex) {
        String rest = ex.rawPath().substring(BASE.length());
        if (rest.isEmpty() || rest.equals("/")) {
            return new String[0];
        }
        if (!rest.startsWith("/")) {
            return null; // e.g. /v1/adaptersX
        }
        return rest.substring(1).split("/", -1);
    }

    @Override
    protected String route(Exchange ex) {
        String[] s = segments(ex);
        if (s == null) {
            return "other";
        }
        return switch (s.length) {
            case 0 -> BASE;
            case 1 -> BASE + "/{id}";
            case 2 -> s[1].equals("download") ? BASE + "/{id}/download" : "other";
            default -> "other";
        };
    }

    @Override
    protected void serve(Exchange ex) throws IOException {
        String[] s = segments(ex);
        if (s == null) {
            throw notFoundPath(ex);
        }
        if (s.length == 0) {
            switch (ex.getRequestMethod()) {
                case "POST" -> create(ex);
                case "GET" -> list(ex);
                default -> throw ApiException.methodNotAllowed(ex.getRequestMethod(), BASE);
            }
            return;
        }
        String id = AdapterIds.requireValid(s[0]); // before anything else: no other id reaches the cache or disk
        if (s.length == 1) {
            switch (ex.getRequestMethod()) {
                case "GET" -> Exchanges.sendJson(ex, 200, json(info(id), null));
                case "DELETE" -> delete(ex, id);
                default -> throw ApiException.methodNotAllowed(ex.getRequestMethod(), BASE + "/{id}");
            }
        } else if (s.length == 2 && s[1].equals("download")) {
            requireMethod(ex, "GET");
            download(ex, id);
        } else {
            throw notFoundPath(ex);
        }
    }

    private void create(Exchange ex) throws IOException {
        ObjectNode body = Exchanges.readJsonObject(ex, limits.maxBodyBytes());
        JsonNode d = body.get("description");
        if (d != null && !d.isTextual()) {
            throw ApiException.badRequest("description", "'description' must be a string");
        }
        String description = AdapterIds.checkedDescription(d == null ? null : d.asText(),
                limits.maxDescriptionChars(), "description");
        AdapterCache.Adapter a = cache.obtain(description);
        Exchanges.sendJson(ex, 200, json(a.info(), a.cached()));
    }

    private void list(Exchange ex) throws IOException {
        ObjectNode out = Exchanges.JSON.createObjectNode();
        out.put("object", "list");
        ArrayNode data = out.putArray("data");
        cache.list().forEach(info -> data.add(json(info, null)));
        Exchanges.sendJson(ex, 200, out);
    }

    private void delete(Exchange ex, String id) throws IOException {
        if (!cache.delete(id)) {
            throw unknown(id);
        }
        ObjectNode out = Exchanges.JSON.createObjectNode();
        out.put("id", id);
        out.put("object", "adapter");
        out.put("deleted", true);
        Exchanges.sendJson(ex, 200, out);
    }

    /** Zips the stored PEFT folder, or one written from memory into a temporary folder when nothing is stored. */
    private void download(Exchange ex, String id) throws IOException {
        AdapterInfo info = info(id);
        AdapterStore store = cache.store();
        Path tmp = null;
        Path folder;
        if (store != null && Files.isDirectory(store.folder(id))) {
            folder = store.folder(id);
        } else {
            AdapterCache.Adapter a = cache.lookup(id).orElseThrow(() -> unknown(id));
            tmp = Files.createTempDirectory("t2l-download-");
            folder = tmp.resolve(id);
            PeftAdapter.write(folder, a.weights(), peftBaseModel, info.description(), false);
        }
        try {
            ex.setResponseHeader("Content-Type", "application/zip");
            ex.setResponseHeader("Content-Disposition", "attachment; filename=\"" + id + ".zip\"");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = new java.io.BufferedOutputStream(ex.getResponseBody(), 64 << 10);
                    ZipOutputStream zip = new ZipOutputStream(out)) {
                for (Path file : files(folder)) {
                    zip.putNextEntry(new ZipEntry(id + "/" + file.getFileName()));
                    Files.copy(file, zip);
                    zip.closeEntry();
                }
            }
        } finally {
            if (tmp != null) {
                AtomicFiles.deleteRecursively(tmp);
            }
        }
    }

    private static List<Path> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        }
    }

    private AdapterInfo info(String id) {
        return cache.info(id).orElseThrow(() -> unknown(id));
    }

    private static ApiException unknown(String id) {
        return ApiException.notFound("adapter_not_found", "id", "no adapter with id '" + id + "'");
    }

    private static ApiException notFoundPath(Exchange ex) {
        return ApiException.notFound("not_found", null, "no such endpoint: " + ex.rawPath());
    }

    /** {@code cached} is reported only on POST, where it tells whether the hypernetwork ran. */
    private ObjectNode json(AdapterInfo info, Boolean cached) {
        ObjectNode o = Exchanges.JSON.createObjectNode();
        o.put("id", info.id());
        o.put("object", "adapter");
        o.put("description", info.description());
        o.put("created", info.created());
        o.put("generation_ms", info.generationMs());
        o.put("bytes", info.bytes());
        o.put("base_model", baseModel);
        o.put("checkpoint", info.checkpointId());
        if (cached != null) {
            o.put("cached", cached);
        }
        return o;
    }
}
