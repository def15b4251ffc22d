package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.compute.Autograd;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable tensors of a run, by name, in a fixed order. Updates happen in place outside autograd (as
 * torch.optim does under no_grad), so a set can wrap arrays another object owns, such as a HyperModulator's
 * parameters; {@link #zeroGrad} clears the accumulated gradients after each step.
 */
public final class ParamSet implements AutoCloseable {
    private static final NDIndex ALL = new NDIndex("...");

    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    public ParamSet(NDManager parent) {
        this.manager = parent.newSubManager();
    }

    /** Trains arrays owned elsewhere (they are marked trainable here, and never closed by this set). */
    public static ParamSet wrap(NDManager parent, Map<String, NDArray> external) {
        ParamSet s = new ParamSet(parent);
        external.forEach((k, v) -> {
            v.setRequiresGradient(true);
            s.params.put(k, v);
        });
        return s;
    }

    public NDManager manager() {
        return manager;
    }

    /** Adds a parameter (copied into this set's manager) and marks it trainable. */
    public NDArray add(String name, NDArray value) {
        if (params.containsKey(name)) {
            throw new IllegalArgumentException("duplicate parameter " + name);
        }
        NDArray p = value.duplicate();
        p.attach(manager);
        p.setRequiresGradient(true);
        params.put(name, p);
        return p;
    }

    public NDArray get(String name) {
        NDArray p = params.get(name);
        if (p == null) {
            throw new IllegalArgumentException("no parameter " + name + "; have " + params.keySet());
        }
        return p;
    }

    public List<String> names() {
        return List.copyOf(params.keySet());
    }

    public Map<String, NDArray> asMap() {
        return Collections.unmodifiableMap(params);
    }

    public long numel() {
        long n = 0;
        for (NDArray p : params.values()) {
            n += p.size();
        }
        return n;
    }

    /**
     * The gradient of a parameter after backward (a new handle, owned by the parameter's current manager: call this
     * inside {@link #scope}).
     */
    public NDArray grad(String name) {
        return get(name).getGradient();
    }

    /**
     * Sets every accumulated gradient to zero (torch zero_grad); call after each optimiser step. A fill, not
     * {@code muli(0)}: NaN·0 is NaN, so a non-finite gradient would survive the clearing.
     */
    public void zeroGrad() {
        for (NDArray p : params.values()) {
            Autograd.zeroGradient(p);
        }
    }

    /** Every gradient as one float32 array, parameters in {@link #names()} order (a step's share to exchange). */
    public float[] flatGradients() {
        float[] out = new float[Math.toIntExact(numel())];
        int at = 0;
        for (NDArray p : params.values()) {
            try (NDArray g = p.getGradient()) {
                float[] v = g.toFloatArray();
                System.arraycopy(v, 0, out, at, v.length);
                at += v.length;
            }
        }
        return out;
    }

    /**
     * Overwrites every gradient from {@code flat}, laid out as {@link #flatGradients()} writes it (values after them
     * are ignored).
     */
    public void setGradients(float[] flat) {
        if (flat.length < numel()) {
            throw new T2lException("gradients: expected " + numel() + " values, found " + flat.length);
        }
        int at = 0;
        for (NDArray p : params.values()) {
            int n = Math.toIntExact(p.size());
            // copied into the gradient's own memory: NDArray.set(float[]) would make the tensor alias a buffer
            // that this short-lived handle owns
            try (NDArray g = p.getGradient(); NDArray v = manager.create(Arrays.copyOfRange(flat, at, at + n),
                    p.getShape())) {
                g.set(ALL, v);
            }
            at += n;
        }
    }

    /**
     * A per-step manager to which every parameter is temporarily attached, so that the step's intermediate arrays
     * (which DJL attaches to their first operand's manager) are freed when the scope closes, while the parameters
     * return to their owners.
     */
    public NDManager scope(NDManager parent) {
        NDManager s = parent.newSubManager();
        params.values().forEach(p -> p.tempAttach(s));
        return s;
    }

    /** Float32 copies for saving (float64 parameters, used by gradient checks only, are narrowed). */
    public Map<String, FloatTensor> toTensors() {
        Map<String, FloatTensor> out = new LinkedHashMap<>();
        params.forEach((k, v) -> out.put(k, toTensor(v)));
        return out;
    }

    /** Overwrites every parameter in place from saved tensors; names and shapes must match exactly. */
    public void load(Map<String, FloatTensor> saved, String source) {
        if (!saved.keySet().equals(params.keySet())) {
            throw new T2lException(source + ": parameter names differ: expected " + params.keySet() + ", found "
                    + saved.keySet());
        }
        for (String name : names()) {
            NDArray p = params.get(name);
            FloatTensor t = saved.get(name);
            if (!Arrays.equals(t.shape(), p.getShape().getShape())) {
                throw new T2lException(source + ": parameter " + name + " has shape " + t.shapeString()
                        + ", expected " + p.getShape());
            }
            try (NDArray v = manager.create(t.data(), new Shape(t.shape()))) {
                if (p.getDataType() == DataType.FLOAT32) {
                    p.set(t.data());
                } else {
                    try (NDArray c = v.toType(p.getDataType(), false)) {
                        p.set(c.toDoubleArray());
                    }
                }
            }
        }
    }

    public static FloatTensor toTensor(NDArray a) {
        if (a.getDataType() == DataType.FLOAT32) {
            return new FloatTensor(a.toFloatArray(), a.getShape().getShape());
        }
        try (NDArray f = a.toType(DataType.FLOAT32, false)) {
            return new FloatTensor(f.toFloatArray(), a.getShape().getShape());
        }
    }

    /** Closes the parameters this set created; wrapped ones stay with their owner. */
    @Override
    public void close() {
        manager.close();
    }
}
