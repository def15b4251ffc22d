package ai.t2l.train;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.t2l.io.FloatTensor;
import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The trainable tensors of a run, by name, in a fixed order. Parameters are replaced (not mutated) by each optimiser
 * step: every step therefore starts from fresh autograd leaves and no gradient is ever accumulated by accident.
 * The set owns its arrays through its own manager.
 */
public final class ParamSet implements AutoCloseable {
    private final NDManager manager;
    private final Map<String, NDArray> params = new LinkedHashMap<>();

    public ParamSet(NDManager parent) {
        this.manager = parent.newSubManager();
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

    /** Swaps in the updated value of a parameter (computed outside autograd) and frees the old one. */
    public void replace(String name, NDArray value) {
        NDArray old = get(name);
        if (!old.getShape().equals(value.getShape())) {
            throw new IllegalArgumentException(name + ": new shape " + value.getShape() + " != " + old.getShape());
        }
        value.attach(manager);
        value.setRequiresGradient(true);
        params.put(name, value);
        old.close();
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
     * A per-step manager to which every parameter is temporarily attached, so that the step's intermediate arrays
     * (which DJL attaches to their first operand's manager) are freed when the scope closes, while the parameters
     * return to this set.
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

    /** Overwrites every parameter from saved tensors; names and shapes must match exactly. */
    public void load(Map<String, FloatTensor> saved, String source) {
        if (!saved.keySet().equals(params.keySet())) {
            throw new T2lException(source + ": parameter names differ: expected " + params.keySet() + ", found "
                    + saved.keySet());
        }
        for (String name : names()) {
            NDArray old = params.get(name);
            FloatTensor t = saved.get(name);
            if (!Arrays.equals(t.shape(), old.getShape().getShape())) {
                throw new T2lException(source + ": parameter " + name + " has shape " + t.shapeString()
                        + ", expected " + old.getShape());
            }
            replace(name, manager.create(t.data(), new Shape(t.shape())).toType(old.getDataType(), false));
        }
    }

    public static FloatTensor toTensor(NDArray a) {
        NDArray f = a.getDataType() == DataType.FLOAT32 ? a : a.toType(DataType.FLOAT32, false);
        return new FloatTensor(f.toFloatArray(), a.getShape().getShape());
    }

    @Override
    public void close() {
        manager.close();
    }
}
