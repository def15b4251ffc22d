package ai.t2l.io;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;

/** Writes that never leave half-written output: write beside the target, then rename into place. */
public final class AtomicFiles {
    private static final Set<PosixFilePermission> FILE_MODE = PosixFilePermissions.fromString("rw-r--r--");
    private static final Set<PosixFilePermission> DIR_MODE = PosixFilePermissions.fromString("rwxr-xr-x");

    private AtomicFiles() {}

    @FunctionalInterface
    public interface PathWriter {
        void write(Path tmp) throws IOException;
    }

    /** Writes a file through {@code writer} into a temporary sibling, then renames it over {@code target}. */
    public static void writeFile(Path target, PathWriter writer) {
        Path abs = target.toAbsolutePath();
        Path dir = abs.getParent();
        Path tmp = null;
        try {
            Files.createDirectories(dir);
            tmp = Files.createTempFile(dir, "." + abs.getFileName() + ".", ".tmp");
            writer.write(tmp);
            setUsualPermissions(tmp, FILE_MODE);
            move(tmp, abs);
        } catch (IOException e) {
            throw new T2lException("could not write " + target + ": " + e.getMessage(), e);
        } finally {
            deleteQuietly(tmp);
        }
    }

    public static void writeString(Path target, String text) {
        writeFile(target, tmp -> Files.writeString(tmp, text));
    }

    /**
     * Builds a whole folder in a temporary sibling and renames it to {@code target}; refuses to replace a
     * non-empty existing folder unless {@code overwrite}.
     */
    public static void writeDirectory(Path target, boolean overwrite, PathWriter writer) {
        Path abs = target.toAbsolutePath().normalize();
        if (abs.getParent() == null) { // "/" : there is nowhere to build it beside, and overwrite would delete it all
            throw new T2lException("output folder " + target + " is a filesystem root; choose a folder inside one");
        }
        Path tmp = null;
        try {
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                throw new T2lException("output folder " + target + " exists and is not a folder");
            }
            if (Files.exists(abs) && !overwrite && !isEmptyDir(abs)) {
                throw new T2lException("output folder " + target + " already exists and is not empty");
            }
            Files.createDirectories(abs.getParent());
            tmp = Files.createTempDirectory(abs.getParent(), "." + abs.getFileName() + ".");
            writer.write(tmp);
            try (var all = Files.walk(tmp)) { // copied files keep their source's mode (e.g. a read-only 0444)
                for (Path p : all.toList()) {
                    setUsualPermissions(p, Files.isDirectory(p) ? DIR_MODE : FILE_MODE);
                }
            }
            if (Files.exists(abs)) {
                deleteRecursively(abs);
            }
            move(tmp, abs);
            tmp = null;
        } catch (IOException e) {
            throw new T2lException("could not write folder " + target + ": " + e.getMessage(), e);
        } finally {
            if (tmp != null) {
                deleteRecursively(tmp);
            }
        }
    }

    /**
     * Temporary files and folders are created owner-only (0600/0700, Files.createTempFile's POSIX default); what we
     * publish gets the usual 0644/0755 so that other users and services (a vLLM or Ollama running as another user)
     * can read it.
     */
    private static void setUsualPermissions(Path p, Set<PosixFilePermission> mode) throws IOException {
        if (Files.getFileStore(p).supportsFileAttributeView(PosixFileAttributeView.class)) {
            Files.setPosixFilePermissions(p, mode);
        }
    }

    private static boolean isEmptyDir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try (var s = Files.list(dir)) {
            return s.findAny().isEmpty();
        }
    }

    private static void move(Path from, Path to) throws IOException {
        try {
            Files.move(from, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    private static void deleteQuietly(Path p) {
        if (p != null) {
            try {
                Files.deleteIfExists(p);
            } catch (IOException ignored) {
                // best effort: the temp file lives beside the target with a dot name
            }
        }
    }

    public static void deleteRecursively(Path root) {
        if (root == null || !Files.exists(root)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
