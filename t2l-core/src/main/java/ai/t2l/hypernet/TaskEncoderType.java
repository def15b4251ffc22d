package ai.t2l.hypernet;

/**
 * Task encoders (T2L-SPEC §2.2). Both are Linear + LayerNorm; ONE_HOT feeds a one-hot task id of size
 * {@code taskEmbDim} (= number of training tasks, the reference's {@code use_one_hot_task_emb}) instead of a
 * description embedding. The discrete, softmax and vq encoders are not implemented (no released model uses them).
 */
public enum TaskEncoderType {
    LINEAR, ONE_HOT
}
