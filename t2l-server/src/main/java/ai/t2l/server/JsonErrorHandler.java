package ai.t2l.server;

import java.nio.ByteBuffer;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Errors Jetty answers itself (malformed requests before any endpoint runs: a negative or repeated Content-Length,
 * headers over the limit = 431, a bad request line) in the API's JSON shape instead of an HTML page.
 */
final class JsonErrorHandler extends ErrorHandler {
    @Override
    protected void generateResponse(Request request, Response response, int code, String message, Throwable cause,
            Callback callback) {
        byte[] body = json(code, message);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, Long.toString(body.length));
        // Jetty drops a connection after a request it refused (e.g. a NUL in the URI); saying so keeps clients from
        // sending their next request on it (java.net.http did, and got "header parser received no bytes")
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        response.write(true, ByteBuffer.wrap(body), callback);
    }

    @Override
    public ByteBuffer badMessageError(int status, String reason, HttpFields.Mutable fields) {
        fields.put(HttpHeader.CONTENT_TYPE, "application/json");
        return ByteBuffer.wrap(json(status, reason));
    }

    static byte[] json(int status, String message) {
        String reason = HttpStatus.getMessage(status);
        String text = message == null || message.isBlank() ? reason : message;
        String code = switch (status) {
            case 400 -> "bad_request";
            case 408 -> "request_timeout";
            case 413 -> "request_too_large";
            case 414 -> "uri_too_long";
            case 431 -> "request_header_fields_too_large";
            default -> "http_" + status;
        };
        String type = status >= 500 ? "server_error" : "invalid_request_error";
        return Exchanges.errorJson(new ApiException(status, type, code, null, "HTTP " + status + " " + reason
                + (text.equals(reason) ? "" : ": " + text)));
    }
}
