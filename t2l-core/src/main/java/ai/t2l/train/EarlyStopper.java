package ai.t2l.train;

/**
 * The reference's early stopper (hm/sft_trainer.py {@code EarlyStopper}, spec §5.1): a loss below the best so far
 * becomes the best and resets the count; a loss above {@code best + minDelta} counts as bad; a tie (or a loss
 * within {@code minDelta}) changes nothing. The reference feeds it the step-0 validation of the base model first
 * (B = 0), so a checkpoint has to beat the base model to count as an improvement (issue 12 item 2).
 */
public final class EarlyStopper {
    private final int patience;
    private final double minDelta;
    private double best;
    private int bad;

    public EarlyStopper(int patience, double minDelta) {
        this(patience, minDelta, Double.POSITIVE_INFINITY, 0);
    }

    /** Resumes a stopper from its saved best loss and count of bad validations. */
    public EarlyStopper(int patience, double minDelta, double best, int bad) {
        this.patience = patience;
        this.minDelta = minDelta;
        this.best = best;
        this.bad = bad;
    }

    /** Records one validation loss; true when it is a new best. */
    public boolean observe(double loss) {
        if (loss < best) {
            best = loss;
            bad = 0;
            return true;
        }
        if (loss > best + minDelta) {
            bad++;
        }
        return false;
    }

    public boolean shouldStop() {
        return bad >= patience;
    }

    public double best() {
        return best;
    }

    public int badValidations() {
        return bad;
    }
}
