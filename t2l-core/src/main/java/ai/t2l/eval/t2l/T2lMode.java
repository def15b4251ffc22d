package ai.t2l.eval.t2l;

import ai.t2l.io.T2lException;
import java.util.List;

/**
 * Which evaluation protocol a T2L checkpoint gets in {@code t2l eval run --t2l}; {@code auto} takes it from the
 * checkpoint, as the reference's scripts do (hm/utils/eval_hypermod.py branches on {@code use_one_hot_task_emb};
 * Hyperdecoders have their own script, scripts/eval_hyperdecoders_checkpoint.py).
 */
public enum T2lMode {
    /** Spec §8.3: adapters from the task's held-out, another task's and nonsense descriptions ({@link T2lProtocol}). */
    DESCRIPTIONS("descriptions"),
    /** Spec §9, one-hot T2L: the task's own one-hot, another task's, 3 Dirichlet(1) mixtures ({@link OneHotProtocol}). */
    ONE_HOT("one-hot"),
    /** Spec §9, Hyperdecoders: one adapter per item, generated from the item's own prompt. */
    HYPERDECODER("hyperdecoder");

    public static final String AUTO = "auto";

    private final String id;

    T2lMode(String id) {
        this.id = id;
    }

    public String id() {
        return id;
    }

    /** null for "auto" (decided by the checkpoint). */
    public static T2lMode parse(String s) {
        if (s == null || s.equals(AUTO)) {
            return null;
        }
        for (T2lMode m : values()) {
            if (m.id.equals(s)) {
                return m;
            }
        }
        throw new T2lException("--t2l-protocol must be one of " + List.of(AUTO, DESCRIPTIONS.id, ONE_HOT.id,
                HYPERDECODER.id) + ", found '" + s + "'");
    }

    /** What a checkpoint says about itself: how it is conditioned, and a one-hot checkpoint's task table. */
    public record Checkpoint(T2lMode mode, List<String> oneHotTasks) {
        public Checkpoint {
            oneHotTasks = List.copyOf(oneHotTasks);
        }

        public static final Checkpoint DESCRIPTION_CONDITIONED = new Checkpoint(DESCRIPTIONS, List.of());
    }
}
