package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.t2l.hypernet.HyperConfig;
import ai.t2l.hypernet.HyperModulator;
import ai.t2l.hypernet.TrainingTask;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraWeights.Site;
import java.util.Map;

/**
 * Ties a recon run to the hypernetwork that will later generate LoRAs: its config must make
 * {@code convert_to_raw_scale} undo exactly what the run's loss did (spec §2.9), and with z-scoring the library's
 * element-wise mean and std go into its {@code mean_recon_target}/{@code std_recon_target} buffers, so the
 * generated adapters (and the saved checkpoint) come back at raw scale.
 */
final class ReconTargets {
    private ReconTargets() {}

    static void check(HyperConfig h, ReconTrainer.Config c) {
        if (h.trainingTask() != TrainingTask.RECON) {
            throw new T2lException("recon: the hypernetwork's training_task is " + h.trainingTask()
                    + ", expected RECON (otherwise its generated LoRAs are not converted back to raw scale)");
        }
        if (h.factorized() != c.factorized() || h.predZScore() != c.zScore()) {
            throw new T2lException("recon: the hypernetwork has factorized=" + h.factorized() + ", pred_z_score="
                    + h.predZScore() + " but the run has factorized=" + c.factorized() + ", pred_z_score=" + c.zScore());
        }
        if (!c.factorized() && h.deltaWScaling() != c.deltaWScaling()) {
            throw new T2lException("recon: the hypernetwork has delta_w_scaling=" + h.deltaWScaling()
                    + " but the run has " + c.deltaWScaling());
        }
    }

    /** Writes the per-site stats {mean A, std A, mean B, std B} into the (L, r, in) / (L, out, r) buffers. */
    static void install(HyperModulator hyper, Map<Site, FloatTensor[]> stats) {
        Map<String, NDArray> buffers = hyper.buffers();
        int layers = hyper.config().numLayers();
        for (String module : hyper.config().moduleOrder()) {
            for (int k = 0; k < 4; k++) {
                String ab = k < 2 ? "A" : "B";
                String name = (k % 2 == 0 ? "mean_recon_target." : "std_recon_target.") + ab + "." + module;
                NDArray buffer = buffers.get(name);
                if (buffer == null) {
                    throw new T2lException("recon: the hypernetwork has no buffer " + name);
                }
                int per = (int) (buffer.size() / layers);
                float[] data = new float[(int) buffer.size()];
                for (int l = 0; l < layers; l++) {
                    FloatTensor[] s = stats.get(new Site(l, module));
                    if (s == null || s[k].data().length != per) {
                        throw new T2lException("recon: library statistics for layer " + l + " " + module + " " + ab
                                + (s == null ? " are missing" : " hold " + s[k].data().length + " values, the"
                                        + " hypernetwork's buffer " + name + " expects " + per + " per layer"));
                    }
                    System.arraycopy(s[k].data(), 0, data, l * per, per);
                }
                buffer.set(data);
            }
        }
    }
}
