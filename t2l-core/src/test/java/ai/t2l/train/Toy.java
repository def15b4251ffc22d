package ai.t2l.train;

import ai.djl.ndarray.types.DataType;
import ai.t2l.lora.LoraConfig;
import ai.t2l.train.data.DataPrep;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.TaskData;
import ai.t2l.train.data.TaskExample;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/** Toy tasks and settings shared by the trainer tests. */
final class Toy {
    static final int VOCAB = 32;
    static final CharEncoder ENCODER = new CharEncoder(VOCAB);

    private Toy() {}

    /** Task k answers every prompt with its own short pattern, e.g. "kbkb" for k = 'k'. */
    static PreparedTask task(String name, char symbol, int n, long seed) {
        Random r = new Random(seed);
        List<TaskExample> ex = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            ex.add(new TaskExample("x" + r.nextInt(1000), "" + symbol + 'b' + symbol + 'b'));
        }
        TaskData t = new TaskData(name, List.of(name + " first description", name + " second description"), ex);
        return DataPrep.prepare(t, ENCODER, new DataPrep.Settings(32, 0.25, null));
    }

    static TinyLm lm(DataType type) {
        return new TinyLm(VOCAB, 16, 2, 7, type);
    }

    static LoraConfig lora(double dropout) {
        return new LoraConfig(4, 8, true, dropout, List.of("q_proj", "v_proj"));
    }

    static OptimConfig optim(double lr) {
        return new OptimConfig(lr, 1e-3, 0.1, 1.0);
    }

    static OracleLoraTrainer.Config oracle(long maxSteps, int checkpointEvery) {
        return new OracleLoraTrainer.Config(lora(0.05), optim(2e-2), 8, 1, maxSteps, 0.1, 5, 10, 3, checkpointEvery,
                42, "tiny");
    }

    /** Random description embeddings (2 per task, dim 8), scaled like the reference's (norm √dim). */
    static List<float[][]> embeddings(int tasks, long seed) {
        Random r = new Random(seed);
        List<float[][]> out = new ArrayList<>();
        for (int t = 0; t < tasks; t++) {
            float[][] e = new float[2][8];
            for (float[] row : e) {
                double norm = 0;
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) r.nextGaussian();
                    norm += row[i] * row[i];
                }
                for (int i = 0; i < row.length; i++) {
                    row[i] = (float) (row[i] / Math.sqrt(norm) * Math.sqrt(8));
                }
            }
            out.add(e);
        }
        return out;
    }
}
