package ai.t2l.train.data;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.T2lException;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Tokenises tasks, splits each into train and validation, and caches the result on disk under the sha256 of
 * everything that determines it (examples, encoder fingerprint, max length, split), as the reference caches its
 * transformed datasets (spec §10). The split is the reference's contiguous one, with Hugging Face datasets' percent
 * rounding ({@code train[:90%]} ends at {@code int(round(90 * n / 100))}, Python's round half to even; the rest
 * validates, spec §5.1). Only the tasks in {@link Settings#validationTasks} lose that share: the reference gives a
 * validation split to the training tasks that are also evaluation tasks and trains every other task on its whole
 * {@code train[:10000]} (hm/data.py {@code create_dataloaders}, spec §6.5; issue 12 item 5).
 */
public final class DataPrep {
    private static final int MAGIC = 0x54324C54; // "T2LT"
    private static final int VERSION = 2; // 2: Hugging Face percent rounding of the split

    /**
     * @param validationTasks the tasks that get a validation split; null: every task (an oracle LoRA's single
     *                        task, our base-model training)
     */
    public record Settings(int maxLength, double validationFraction, Path cacheDir, Set<String> validationTasks) {
        public Settings {
            validationTasks = validationTasks == null ? null : Set.copyOf(validationTasks);
        }

        public Settings(int maxLength, double validationFraction, Path cacheDir) {
            this(maxLength, validationFraction, cacheDir, null);
        }

        /** The share of this task's examples that validates: the fraction, or 0 for a task without a split. */
        public double fractionFor(String task) {
            return validationTasks == null || validationTasks.contains(task) ? validationFraction : 0;
        }
    }

    private DataPrep() {}

    /** {@code report} receives one line per task that had examples truncated (spec §7.4: truncated, counted). */
    public static List<PreparedTask> prepare(List<TaskData> tasks, ExampleEncoder encoder, Settings s,
            Consumer<String> report) {
        List<PreparedTask> out = new ArrayList<>();
        for (TaskData t : tasks) {
            PreparedTask p = prepare(t, encoder, s);
            if (p.truncated() > 0) {
                report.accept("task " + t.name() + ": " + p.truncated() + " of " + t.examples().size()
                        + " examples longer than max_length " + s.maxLength() + " were truncated (left side)");
            }
            out.add(p);
        }
        return out;
    }

    public static PreparedTask prepare(TaskData t, ExampleEncoder encoder, Settings s) {
        if (t.examples().isEmpty()) {
            throw new T2lException("task " + t.name() + ": no examples");
        }
        String key = cacheKey(t, encoder, s);
        Path cached = s.cacheDir() == null ? null : s.cacheDir().resolve(key + ".bin");
        if (cached != null && Files.exists(cached)) {
            return read(cached, t);
        }
        List<TokenizedExample> all = new ArrayList<>();
        int truncated = 0;
        for (TaskExample ex : t.examples()) {
            int[][] pr = encoder.encodePair(ex);
            boolean[] cut = {false};
            all.add(Truncation.apply(pr[0], pr[1], s.maxLength(), cut));
            truncated += cut[0] ? 1 : 0;
        }
        int nTrain = trainCount(all.size(), s.fractionFor(t.name()));
        PreparedTask p = new PreparedTask(t.name(), t.descriptions(), all.subList(0, nTrain),
                all.subList(nTrain, all.size()), truncated);
        if (cached != null) {
            write(cached, p);
        }
        return p;
    }

    /** Hugging Face {@code train[:P%]} with P = 100·(1 − f): {@code int(round(P * n / 100.0))}, half to even. */
    static int trainCount(int n, double valFraction) {
        if (valFraction <= 0) {
            return n;
        }
        double pct = 100.0 - valFraction * 100.0;
        return Math.max(1, (int) Math.rint(pct * n / 100.0));
    }

    static String cacheKey(TaskData t, ExampleEncoder encoder, Settings s) {
        try {
            MessageDigest d = MessageDigest.getInstance("SHA-256");
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            DataOutputStream o = new DataOutputStream(bytes);
            o.writeInt(VERSION);
            writeString(o, encoder.fingerprint());
            o.writeInt(s.maxLength());
            o.writeDouble(s.fractionFor(t.name()));
            writeString(o, t.name());
            o.writeInt(t.examples().size());
            for (TaskExample ex : t.examples()) {
                writeString(o, ex.prompt());
                writeString(o, ex.response());
            }
            o.flush();
            return HexFormat.of().formatHex(d.digest(bytes.toByteArray()));
        } catch (IOException | NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void writeString(DataOutputStream o, String s) throws IOException {
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        o.writeInt(b.length);
        o.write(b);
    }

    private static void write(Path file, PreparedTask p) {
        AtomicFiles.writeFile(file, tmp -> {
            try (DataOutputStream o = new DataOutputStream(new java.io.BufferedOutputStream(Files.newOutputStream(tmp)))) {
                o.writeInt(MAGIC);
                o.writeInt(VERSION);
                o.writeInt(p.truncated());
                writeList(o, p.train());
                writeList(o, p.validation());
            }
        });
    }

    private static void writeList(DataOutputStream o, List<TokenizedExample> l) throws IOException {
        o.writeInt(l.size());
        for (TokenizedExample e : l) {
            o.writeInt(e.length());
            for (int i = 0; i < e.length(); i++) {
                o.writeInt(e.ids()[i]);
                o.writeInt(e.labels()[i]);
            }
        }
    }

    private static PreparedTask read(Path file, TaskData t) {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            if (in.readInt() != MAGIC || in.readInt() != VERSION) {
                throw new T2lException(file + ": not a token cache file of this version; delete it");
            }
            int truncated = in.readInt();
            return new PreparedTask(t.name(), t.descriptions(), readList(in), readList(in), truncated);
        } catch (IOException e) {
            throw new T2lException(file + ": corrupt token cache file (" + e.getMessage() + "); delete it", e);
        }
    }

    private static List<TokenizedExample> readList(DataInputStream in) throws IOException {
        int n = in.readInt();
        List<TokenizedExample> l = new ArrayList<>(n);
        for (int k = 0; k < n; k++) {
            int len = in.readInt();
            int[] ids = new int[len];
            int[] labels = new int[len];
            for (int i = 0; i < len; i++) {
                ids[i] = in.readInt();
                labels[i] = in.readInt();
            }
            l.add(new TokenizedExample(ids, labels));
        }
        return l;
    }
}
