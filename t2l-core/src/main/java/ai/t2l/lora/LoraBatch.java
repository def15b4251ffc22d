package ai.t2l.lora;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.Autograd;
import ai.t2l.compute.LowRankDelta;
import ai.t2l.compute.Staging;
import ai.t2l.io.T2lException;
import ai.t2l.model.Dropout;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * LoRA adapters applied unmerged, possibly a different one per batch row: for every adapted (layer, module) an A of
 * shape (rows, r, in), a B of shape (rows, out, r) and a scaling of shape (rows, 1, 1), so that the module computes
 * y = W x + scaling · B (A · dropout(x)) row by row (PEFT LoraLayer.forward). {@code rows} is the batch size, or 1
 * to share one adapter across the whole batch. Everything is NDArray ops, so gradients flow into A and B when they
 * come from a hypernetwork.
 */
public final class LoraBatch implements AutoCloseable {
    /** One adapted projection: a (rows, r, in), b (rows, out, r), scaling (rows, 1, 1) or a scalar. */
    public record Slot(NDArray a, NDArray b, NDArray scaling) {
        public Slot {
            Objects.requireNonNull(a, "a");
            Objects.requireNonNull(b, "b");
            Objects.requireNonNull(scaling, "scaling");
        }

        public long rows() {
            return a.getShape().get(0);
        }

        public long in() {
            return a.getShape().get(2);
        }

        public long out() {
            return b.getShape().get(1);
        }
    }

    private final Map<LoraWeights.Site, Slot> slots;
    private final int rows;
    private final NDManager owned;
    private final float dropout;
    /**
     * The adapters as Java arrays, for inference on a few rows ({@link #apply}): only for adapters this object built
     * from {@link LoraWeights} (never written afterwards), and null with dropout (training) or when the vector
     * kernel does not run here.
     */
    private final Map<LoraWeights.Site, LowRankDelta> java;

    /** Most activation rows (batch × positions) whose LoRA term is computed in Java; more go to the engine. */
    static final int JAVA_ROWS = 16;

    /** Keeps the engine's ops for the term, for paired A/B runs ({@code -Dt2l.lora.engine=true}). */
    private static final boolean ENGINE_TERM = Boolean.getBoolean("t2l.lora.engine");

    private LoraBatch(Map<LoraWeights.Site, Slot> slots, int rows, NDManager owned, float dropout,
            Map<LoraWeights.Site, LowRankDelta> java) {
        this.slots = slots;
        this.rows = rows;
        this.owned = owned;
        this.dropout = dropout;
        this.java = java;
    }

    /**
     * Wraps engine arrays (e.g. hypernetwork outputs that carry gradients); the caller keeps ownership. Every slot
     * must have the same number of rows.
     */
    public static LoraBatch ofArrays(Map<LoraWeights.Site, Slot> slots) {
        int rows = -1;
        for (Map.Entry<LoraWeights.Site, Slot> e : slots.entrySet()) {
            Slot s = e.getValue();
            Shape a = s.a().getShape();
            Shape b = s.b().getShape();
            if (a.dimension() != 3 || b.dimension() != 3 || a.get(0) != b.get(0) || a.get(1) != b.get(2)) {
                throw new T2lException("LoRA " + e.getKey() + ": A " + a + " and B " + b
                        + " do not fit: expected A (rows, r, in) and B (rows, out, r)");
            }
            if (rows >= 0 && rows != a.get(0)) {
                throw new T2lException("LoRA " + e.getKey() + ": " + a.get(0) + " rows, other modules have " + rows);
            }
            rows = (int) a.get(0);
        }
        return new LoraBatch(Collections.unmodifiableMap(new TreeMap<>(slots)), Math.max(rows, 1), null, 0f, null);
    }

    /** One adapter for every row of any batch. */
    public static LoraBatch shared(NDManager parent, LoraWeights adapter) {
        return of(parent, Collections.singletonList(Objects.requireNonNull(adapter)));
    }

    /**
     * One adapter per batch row (null: that row runs the base model). Ranks may differ: A and B are zero-padded to
     * the largest rank of each module, which adds exact zeros. Rows without an adapter for a module get zeros too.
     */
    public static LoraBatch of(NDManager parent, List<LoraWeights> perRow) {
        int n = perRow.size();
        if (n == 0) {
            throw new IllegalArgumentException("no rows");
        }
        TreeSet<LoraWeights.Site> sites = new TreeSet<>();
        perRow.stream().filter(Objects::nonNull).forEach(w -> sites.addAll(w.pairs().keySet()));
        NDManager m = parent.newSubManager();
        try {
            Map<LoraWeights.Site, Slot> slots = new LinkedHashMap<>();
            Map<LoraWeights.Site, LowRankDelta> java = LowRankDelta.available() && !ENGINE_TERM ? new LinkedHashMap<>()
                    : null;
            for (LoraWeights.Site site : sites) {
                slots.put(site, stack(m, site, perRow, java));
            }
            return new LoraBatch(Collections.unmodifiableMap(slots), n, m, 0f,
                    java == null ? null : Collections.unmodifiableMap(java));
        } catch (RuntimeException e) {
            m.close();
            throw e;
        }
    }

    /** The site's adapters stacked over the rows as engine arrays (and as Java arrays into {@code java}, if given). */
    private static Slot stack(NDManager m, LoraWeights.Site site, List<LoraWeights> perRow,
            Map<LoraWeights.Site, LowRankDelta> java) {
        int n = perRow.size();
        int rank = 0;
        int in = -1;
        int out = -1;
        for (int row = 0; row < n; row++) {
            LoraWeights w = perRow.get(row);
            LoraWeights.Pair p = w == null ? null : w.get(site.layer(), site.module());
            if (p == null) {
                continue;
            }
            if (p.a().shape().length != 2 || p.b().shape().length != 2 || p.b().shape()[1] != p.rank()) {
                throw new T2lException("row " + row + " layer " + site.layer() + " " + site.module() + ": A "
                        + p.a().shapeString() + " and B " + p.b().shapeString() + " do not fit ([r, in] and [out, r])");
            }
            if (in >= 0 && (in != p.in() || out != p.out())) {
                throw new T2lException("row " + row + " layer " + site.layer() + " " + site.module() + ": adapter maps "
                        + p.in() + " -> " + p.out() + " but another row maps " + in + " -> " + out);
            }
            in = p.in();
            out = p.out();
            rank = Math.max(rank, p.rank());
        }
        float[] a = new float[n * rank * in];
        float[] b = new float[n * out * rank];
        float[] scaling = new float[n];
        for (int row = 0; row < n; row++) {
            LoraWeights w = perRow.get(row);
            LoraWeights.Pair p = w == null ? null : w.get(site.layer(), site.module());
            if (p == null) {
                continue;
            }
            int r = p.rank();
            // A rows beyond r and B columns beyond r stay zero.
            System.arraycopy(p.a().data(), 0, a, row * rank * in, r * in);
            float[] pb = p.b().data();
            for (int o = 0; o < out; o++) {
                System.arraycopy(pb, o * r, b, (row * out + o) * rank, r);
            }
            scaling[row] = (float) w.config().scaling();
        }
        if (java != null) {
            java.put(site, new LowRankDelta(a, b, scaling, n, rank, in, out));
        }
        return new Slot(m.create(a, new Shape(n, rank, in)), m.create(b, new Shape(n, out, rank)),
                m.create(scaling, new Shape(n, 1, 1)));
    }

    /** The same adapters with LoRA dropout on the adapter's input (PEFT lora_dropout), for training. */
    public LoraBatch withDropout(float p) {
        if (p < 0 || p >= 1) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + p);
        }
        return new LoraBatch(slots, rows, null, p, null); // training: the engine's ops, which autograd sees
    }

    public Map<LoraWeights.Site, Slot> slots() {
        return slots;
    }

    public Slot slot(int layer, String module) {
        return slots.get(new LoraWeights.Site(layer, module));
    }

    /** Batch rows this object was built for; 1 means shared by every row. */
    public int rows() {
        return rows;
    }

    public float dropout() {
        return dropout;
    }

    /**
     * y + scaling · B(A · dropout(x)) for {@code module} of {@code layer}; y unchanged when that module has no
     * adapter. x: (batch, seq, in), y: (batch, seq, out).
     */
    public NDArray apply(int layer, String module, NDArray x, NDArray y) {
        Slot s = slot(layer, module);
        if (s == null) {
            return y;
        }
        LowRankDelta term = java == null ? null : java.get(new LoraWeights.Site(layer, module));
        Shape xs = x.getShape();
        if (term != null && xs.dimension() == 3 && xs.get(0) * xs.get(1) <= JAVA_ROWS && !Autograd.mayRecord(x)
                && !x.hasGradient() && !y.hasGradient()) {
            float[] d = term.delta(x.toFloatArray(), (int) xs.get(0), (int) xs.get(1));
            return y.add(Staging.copyOf(x.getManager(), d, y.getShape())); // y + scaling·B(Ax): one engine op
        }
        // The transposes are made here, inside any gradient recording, and handed to the pass's manager so that
        // nothing accumulates in the adapters' own manager.
        NDArray at = s.a().transpose(0, 2, 1); // (rows, in, r)
        NDArray bt = s.b().transpose(0, 2, 1); // (rows, r, out)
        at.attach(x.getManager());
        bt.attach(x.getManager());
        NDArray in = Dropout.apply(x, dropout);
        NDArray bax = in.matMul(at).matMul(bt); // (batch, seq, out)
        return y.add(bax.mul(s.scaling()));
    }

    /** Frees the arrays this object created (those of {@link #of}); arrays passed to {@link #ofArrays} are the caller's. */
    @Override
    public void close() {
        if (owned != null) {
            owned.close();
        }
    }
}
