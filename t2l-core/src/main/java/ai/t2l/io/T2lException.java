package ai.t2l.io;

/**
 * The one error type users see for bad input: it always names the file (or source), the field or tensor,
 * what was expected and what was found. The CLI prints its message without a stack trace.
 */
public class T2lException extends RuntimeException {
    public T2lException(String message) {
        super(message);
    }

    public T2lException(String message, Throwable cause) {
        super(message, cause);
    }
}
