package ai.t2l.train.run;

import ai.t2l.io.T2lException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

/**
 * sha256 of a run's inputs for its provenance. A folder hashes its files' names and hashes; files over 256 MiB
 * (real model weights) hash their size and first and last MiB only, marked "partial:" so nobody mistakes it.
 */
public final class InputHash {
    private static final long FULL_LIMIT = 256L << 20;
    private static final int EDGE = 1 << 20;

    private InputHash() {}

    public static String of(Path p) {
        try {
            if (Files.isDirectory(p)) {
                MessageDigest d = sha();
                List<Path> files;
                try (Stream<Path> s = Files.list(p)) {
                    files = s.filter(Files::isRegularFile).sorted().toList();
                }
                for (Path f : files) {
                    d.update((f.getFileName() + "=" + of(f) + "\n").getBytes(StandardCharsets.UTF_8));
                }
                return HexFormat.of().formatHex(d.digest());
            }
            long size = Files.size(p);
            MessageDigest d = sha();
            if (size <= FULL_LIMIT) {
                try (InputStream in = Files.newInputStream(p)) {
                    byte[] buf = new byte[1 << 16];
                    int n;
                    while ((n = in.read(buf)) > 0) {
                        d.update(buf, 0, n);
                    }
                }
                return HexFormat.of().formatHex(d.digest());
            }
            try (FileChannel ch = FileChannel.open(p)) {
                ByteBuffer head = ByteBuffer.allocate(EDGE);
                ch.read(head, 0);
                ByteBuffer tail = ByteBuffer.allocate(EDGE);
                ch.read(tail, size - EDGE);
                d.update(ByteBuffer.allocate(8).putLong(size).array());
                d.update(head.flip());
                d.update(tail.flip());
            }
            return "partial:" + HexFormat.of().formatHex(d.digest());
        } catch (IOException e) {
            throw new T2lException(p + ": cannot hash input: " + e.getMessage(), e);
        }
    }

    public static String ofString(String s) {
        return HexFormat.of().formatHex(sha().digest(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest sha() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
