package ai.t2l.server;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Locale;
import java.util.Set;

/**
 * The checks every request passes before any endpoint sees it, against cross-site use of a server on a trusted
 * network or on localhost:
 * <ul>
 *   <li>Host: a name in the Host header must be localhost, the bound host or one configured; IP literals are always
 *       fine. A page on evil.example that re-resolves its own name to 127.0.0.1 (DNS rebinding) sends Host:
 *       evil.example and is refused (the same defence as Jupyter's and webpack-dev-server's host checks).</li>
 *   <li>Origin: browsers send it on cross-site requests; it must name this very server (same scheme-less host and
 *       port as Host). Origin "null" (sandboxed frames, file pages) is refused.</li>
 *   <li>API key (optional): {@code Authorization: Bearer KEY} on everything but /health and the page, answered 401
 *       with OpenAI's error shape, as vLLM's and llama.cpp's servers do with --api-key.</li>
 *   <li>Content-Type: a request with a body must be application/json (415 otherwise). The body types a page may
 *       send cross-site without asking first (text/plain, forms, none) are thus never executed.</li>
 * </ul>
 */
final class RequestGuard {
    private final byte[] apiKey; // null: no key
    private final Set<String> allowedHosts; // lower case, without port

    RequestGuard(String apiKey, Set<String> allowedHosts) {
        this.apiKey = apiKey == null || apiKey.isEmpty() ? null : apiKey.getBytes(StandardCharsets.UTF_8);
        this.allowedHosts = allowedHosts.stream().map(h -> h.toLowerCase(Locale.ROOT)).collect(
                java.util.stream.Collectors.toUnmodifiableSet());
    }

    /** Paths anyone may read without the key: liveness for load balancers, and the page (it asks for the key). */
    static boolean isOpen(String path) {
        return path.equals("/health") || path.equals("/") || path.equals("/index.html");
    }

    /** Throws the refusal for this request, or returns when it may proceed. */
    void check(String method, String path, String host, String origin, String authorization, String contentType,
            boolean hasBody) {
        String hostName = hostName(host);
        if (hostName == null || !hostAllowed(hostName)) {
            throw new ApiException(403, "invalid_request_error", "host_not_allowed", null, "the Host header '"
                    + AdapterIds.abbreviate(String.valueOf(host)) + "' is not a name this server answers to; use an IP"
                    + " address or localhost, or start the server with --allowed-host NAME");
        }
        if (origin != null && !sameOrigin(origin, host)) {
            throw new ApiException(403, "invalid_request_error", "origin_not_allowed", null, "cross-origin requests"
                    + " are refused: Origin '" + AdapterIds.abbreviate(origin) + "' is not this server ('" + host + "')");
        }
        if (apiKey != null && !isOpen(path) && !keyMatches(authorization)) {
            throw new ApiException(401, "invalid_request_error", "invalid_api_key", null, authorization == null
                    ? "this server needs an API key: send the header 'Authorization: Bearer <key>'"
                    : "the API key in the Authorization header is not valid");
        }
        if (hasBody && !isJson(contentType)) {
            throw new ApiException(415, "invalid_request_error", "unsupported_media_type", null,
                    "request bodies must be JSON with 'Content-Type: application/json', got "
                            + (contentType == null ? "no Content-Type" : "'" + contentType + "'"));
        }
    }

    private boolean keyMatches(String authorization) {
        if (authorization == null || !authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return false;
        }
        byte[] given = authorization.substring(7).trim().getBytes(StandardCharsets.UTF_8);
        return MessageDigest.isEqual(given, apiKey); // constant time: the key cannot be guessed byte by byte
    }

    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semi = contentType.indexOf(';');
        String type = (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return type.equals("application/json");
    }

    private boolean hostAllowed(String name) {
        return isIpLiteral(name) || name.equals("localhost") || name.endsWith(".localhost")
                || allowedHosts.contains(name);
    }

    /** The host name of a Host header ("name:port", "[::1]:port"), lower case; null when malformed or missing. */
    static String hostName(String host) {
        if (host == null || host.isBlank()) {
            return null;
        }
        String h = host.trim().toLowerCase(Locale.ROOT);
        if (h.startsWith("[")) {
            int close = h.indexOf(']');
            return close < 0 ? null : h.substring(0, close + 1);
        }
        int colon = h.lastIndexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }

    static boolean isIpLiteral(String name) {
        return name.startsWith("[") || name.matches("\\d{1,3}(\\.\\d{1,3}){3}");
    }

    private static boolean sameOrigin(String origin, String host) {
        try {
            URI o = URI.create(origin.trim());
            if (o.getHost() == null || !"http".equalsIgnoreCase(o.getScheme()) && !"https".equalsIgnoreCase(
                    o.getScheme())) {
                return false; // includes "null"
            }
            String authority = o.getRawAuthority().toLowerCase(Locale.ROOT);
            String h = host.trim().toLowerCase(Locale.ROOT);
            return authority.equals(h) || authority.equals(withDefaultPort(h, o.getScheme()))
                    || withDefaultPort(authority, o.getScheme()).equals(h);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String withDefaultPort(String authority, String scheme) {
        boolean hasPort = authority.startsWith("[") ? authority.contains("]:") : authority.contains(":");
        return hasPort ? authority : authority + (scheme.equalsIgnoreCase("https") ? ":443" : ":80");
    }
}
