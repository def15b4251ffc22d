package ai.t2l.train.data;

/**
 * Which row of its task's embedding table an example is conditioned on (spec §6.3, §9).
 */
public enum DescriptionSource {
    /**
     * One of its task's descriptions: drawn uniformly in training, description i mod n for validation example i
     * (the reference's {@code PerTaskEmbSFTDataset}). A one-hot T2L is this with one row per task, its one-hot id.
     */
    TASK,
    /**
     * The example's own input (the Hyperdecoders baseline, reference {@code use_inp_as_desc} with
     * {@code PerSampleEmbSFTDataset}): the table holds one row per example of the task file, in file order, so
     * training example k uses row k and validation example j row (training size + j), the split being contiguous
     * ({@link DataPrep}).
     */
    INPUT;

    /** The row of validation example {@code j} of a task with {@code trainSize} training and {@code nDesc} rows. */
    public int validationRow(int j, int trainSize, int nDesc) {
        return this == INPUT ? trainSize + j : nDesc == 0 ? -1 : j % nDesc;
    }
}
