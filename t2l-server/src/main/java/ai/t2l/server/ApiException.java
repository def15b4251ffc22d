package ai.t2l.server;

/** An error answered to the client in OpenAI's shape: {"error": {"message", "type", "param", "code"}}. */
final class ApiException extends RuntimeException {
    final int status;
    final String type;
    final String param;
    final String code;

    ApiException(int status, String type, String code, String param, String message) {
        super(message);
        this.status = status;
        this.type = type;
        this.code = code;
        this.param = param;
    }

    static ApiException badRequest(String param, String message) {
        return new ApiException(400, "invalid_request_error", "invalid_value", param, message);
    }

    static ApiException malformedJson(String message) {
        return new ApiException(400, "invalid_request_error", "invalid_json", null, message);
    }

    static ApiException notFound(String code, String param, String message) {
        return new ApiException(404, "invalid_request_error", code, param, message);
    }

    static ApiException methodNotAllowed(String method, String path) {
        return new ApiException(405, "invalid_request_error", "method_not_allowed", null,
                "method " + method + " is not allowed on " + path);
    }

    static ApiException tooLarge(long limit) {
        return new ApiException(413, "invalid_request_error", "request_too_large", null,
                "request body is larger than the limit of " + limit + " bytes");
    }

    static ApiException busy(String what, int maxRunning, int maxQueued) {
        return new ApiException(429, "rate_limit_error", "too_many_requests", null,
                "too many concurrent " + what + ": " + maxRunning + " may run and " + maxQueued
                        + " may wait (the server's configured limits); retry later");
    }

    static ApiException unavailable(String message) {
        return new ApiException(503, "server_error", "unavailable", null, message);
    }

    /** The upstream engine cannot be reached or failed (502); {@code message} names it and says why. */
    static ApiException badGateway(String message) {
        return new ApiException(502, "server_error", "upstream_error", null, message);
    }

    static ApiException internal(String message) {
        return new ApiException(500, "server_error", "internal_error", null, message);
    }
}
