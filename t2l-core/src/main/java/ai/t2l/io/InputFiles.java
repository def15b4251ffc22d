package ai.t2l.io;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Input files must be regular files. Opening a FIFO for reading blocks until something writes to it, and a device
 * such as /dev/zero never ends, so a weights or config path that names one would hang the command instead of
 * failing (issue 10 item 10). Checked before any open.
 */
public final class InputFiles {
    private InputFiles() {}

    /** Throws a {@link T2lException} naming {@code file} when it exists but is not a regular file. */
    public static void requireRegular(Path file) {
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            throw new T2lException(file + ": not a regular file (" + kind(file)
                    + "); expected a file on disk, which a FIFO or device is not");
        }
    }

    private static String kind(Path file) {
        if (Files.isDirectory(file)) {
            return "a folder";
        }
        return "a FIFO, socket or device";
    }
}
