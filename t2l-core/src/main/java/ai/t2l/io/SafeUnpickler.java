package ai.t2l.io;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pickle virtual machine that can only build what a PyTorch state dict needs (DESIGN §2: Python's
 * {@code torch.load} runs arbitrary code; this never does). It knows the opcodes of protocols 2–4 that
 * {@code torch.save} emits, and its GLOBAL accepts only {@code collections.OrderedDict}, the two torch tensor
 * rebuild functions and the torch storage classes; anything else (e.g. {@code os.system}) is refused by name
 * before it could be called. Nothing here allocates more than the input's own size: every length is checked
 * against the bytes left, and the memo is a map, not an array sized by a claimed index.
 */
public final class SafeUnpickler {
    /** A tuple: immutable, distinct from a list. */
    public record Tuple(List<Object> items) {
        Object get(int i) {
            return items.get(i);
        }

        int size() {
            return items.size();
        }
    }

    /** A module attribute named by GLOBAL; only the allowed ones ever exist. */
    public record Global(String module, String name) {
        @Override
        public String toString() {
            return module + "." + name;
        }
    }

    /** A storage named by a persistent id: {@code ('storage', torch.FloatStorage, '<key>', 'cpu', numel)}. */
    public record StorageRef(String key, String storageClass, long numel) {}

    /** What {@code torch._utils._rebuild_tensor_v2(storage, offset, size, stride, ...)} would return. */
    public record TensorRef(StorageRef storage, long offset, long[] size, long[] stride) {}

    private static final Global ORDERED_DICT = new Global("collections", "OrderedDict");
    private static final Global REBUILD_TENSOR = new Global("torch._utils", "_rebuild_tensor_v2");
    private static final Global REBUILD_PARAMETER = new Global("torch._utils", "_rebuild_parameter");
    /** torch's legacy typed-storage class names, as written in persistent ids; only FloatStorage is read. */
    public static final Set<String> STORAGE_CLASSES = Set.of("FloatStorage", "DoubleStorage", "HalfStorage",
            "BFloat16Storage", "LongStorage", "IntStorage", "ShortStorage", "CharStorage", "ByteStorage",
            "BoolStorage", "UntypedStorage");

    private static final Object MARK = new Object() {
        @Override
        public String toString() {
            return "MARK";
        }
    };

    private final byte[] in;
    private final String source;
    private int pos;
    private final ArrayList<Object> stack = new ArrayList<>();
    private final Deque<Integer> marks = new ArrayDeque<>();
    private final Map<Long, Object> memo = new HashMap<>();

    /**
     * Open MARKs allowed at once. A state dict nests a handful deep; Python's own unpickler has no limit but its
     * callers recurse over the result, which is how a tiny self-nesting pickle became a StackOverflowError.
     */
    static final int MAX_NESTING = 256;

    private SafeUnpickler(byte[] in, String source) {
        this.in = in;
        this.source = source;
    }

    /** Runs the pickle program in {@code data} and returns the object STOP leaves on the stack. */
    public static Object load(byte[] data, String source) {
        return new SafeUnpickler(data, source).run();
    }

    private Object run() {
        while (true) {
            if (pos >= in.length) {
                throw error("truncated pickle: ended at byte " + pos + " without a STOP opcode");
            }
            int at = pos;
            int op = in[pos++] & 0xff;
            switch (op) {
                case 0x80 -> { // PROTO
                    int v = u8();
                    if (v < 2 || v > 5) {
                        throw error("unsupported pickle protocol " + v + " (expected 2 to 5)");
                    }
                }
                case 0x95 -> need(8, "FRAME").skip(8); // FRAME: a length hint only
                case '.' -> { // STOP
                    if (stack.size() != 1 || !marks.isEmpty()) {
                        throw error("malformed pickle: STOP with " + stack.size() + " values on the stack");
                    }
                    return stack.get(0);
                }
                case '(' -> { // MARK
                    if (marks.size() >= MAX_NESTING) {
                        throw error("pickle nests more than " + MAX_NESTING + " levels deep at byte " + at
                                + " (a state dict nests a few levels; the file is malformed or malicious)");
                    }
                    marks.push(stack.size());
                    stack.add(MARK);
                }
                case '}' -> push(new LinkedHashMap<>());
                case ']' -> push(new ArrayList<>());
                case ')' -> push(new Tuple(List.of()));
                case 'd' -> { // DICT
                    List<Object> items = popMark(at);
                    push(toMap(items, at));
                }
                case 'l' -> push(new ArrayList<>(popMark(at)));
                case 't' -> push(new Tuple(popMark(at)));
                case 0x85 -> push(new Tuple(List.of(pop(at))));
                case 0x86 -> {
                    Object b = pop(at);
                    Object a = pop(at);
                    push(new Tuple(List.of(a, b)));
                }
                case 0x87 -> {
                    Object c = pop(at);
                    Object b = pop(at);
                    Object a = pop(at);
                    push(new Tuple(List.of(a, b, c)));
                }
                case 'a' -> { // APPEND
                    Object v = pop(at);
                    asList(peek(at), at).add(v);
                }
                case 'e' -> { // APPENDS
                    List<Object> items = popMark(at);
                    asList(peek(at), at).addAll(items);
                }
                case 's' -> { // SETITEM
                    Object v = pop(at);
                    Object k = pop(at);
                    asMap(peek(at), at).put(key(k, at), v);
                }
                case 'u' -> { // SETITEMS
                    List<Object> items = popMark(at);
                    asMap(peek(at), at).putAll(toMap(items, at));
                }
                case 'J' -> push((long) i32());
                case 'K' -> push((long) u8());
                case 'M' -> push((long) u16());
                case 0x8a -> push(long1(at));
                case 'N' -> push(null);
                case 0x88 -> push(Boolean.TRUE);
                case 0x89 -> push(Boolean.FALSE);
                case 'G' -> { // BINFLOAT, big-endian
                    need(8, "BINFLOAT");
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits = (bits << 8) | (in[pos++] & 0xff);
                    }
                    push(Double.longBitsToDouble(bits));
                }
                case 'X' -> push(string(u32(), "BINUNICODE"));
                case 0x8c -> push(string(u8(), "SHORT_BINUNICODE"));
                case 0x8d -> push(string(u64(), "BINUNICODE8"));
                case 'T' -> push(string(u32(), "BINSTRING"));
                case 'U' -> push(string(u8(), "SHORT_BINSTRING"));
                case 'q' -> memo.put((long) u8(), peek(at));
                case 'r' -> memo.put(u32(), peek(at));
                case 0x94 -> memo.put((long) memo.size(), peek(at)); // MEMOIZE
                case 'h' -> push(memoGet(u8(), at));
                case 'j' -> push(memoGet(u32(), at));
                case 'c' -> push(global(line(), line(), at)); // GLOBAL "module\nname\n"
                case 0x93 -> { // STACK_GLOBAL
                    Object name = pop(at);
                    Object module = pop(at);
                    if (!(module instanceof String m) || !(name instanceof String n)) {
                        throw error("malformed STACK_GLOBAL at byte " + at);
                    }
                    push(global(m, n, at));
                }
                case 'R' -> { // REDUCE
                    Object args = pop(at);
                    Object callable = pop(at);
                    push(reduce(callable, args, at));
                }
                case 'Q' -> push(persistentLoad(pop(at), at)); // BINPERSID
                case 'b' -> { // BUILD: only the OrderedDict's _metadata attribute, which we drop
                    pop(at);
                    if (!(peek(at) instanceof Map)) {
                        throw error("refusing BUILD on " + describe(peek(at)) + " at byte " + at
                                + " (only a state dict's OrderedDict may be built)");
                    }
                }
                case '0' -> pop(at);
                case '1' -> popMark(at);
                case '2' -> push(peek(at));
                default -> throw error(String.format(
                        "unsupported pickle opcode 0x%02x at byte %d (not used by a PyTorch state dict)", op, at));
            }
        }
    }

    private Object global(String module, String name, int at) {
        Global g = new Global(module, name);
        boolean storage = module.equals("torch") && STORAGE_CLASSES.contains(name);
        if (g.equals(ORDERED_DICT) || g.equals(REBUILD_TENSOR) || g.equals(REBUILD_PARAMETER) || storage) {
            return g;
        }
        throw error("refusing pickle global '" + g + "' at byte " + at + ": only collections.OrderedDict, "
                + "torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter and torch storage classes "
                + "are allowed in a state dict (the file may be malicious or not a plain state dict)");
    }

    private Object reduce(Object callable, Object args, int at) {
        if (!(callable instanceof Global g) || !(args instanceof Tuple t)) {
            throw error("refusing REDUCE of " + describe(callable) + " at byte " + at);
        }
        if (g.equals(ORDERED_DICT)) {
            if (t.size() != 0) {
                throw error("OrderedDict called with arguments at byte " + at);
            }
            return new LinkedHashMap<>();
        }
        if (g.equals(REBUILD_TENSOR)) {
            // _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata])
            if (t.size() < 4 || !(t.get(0) instanceof StorageRef s)) {
                throw error("malformed _rebuild_tensor_v2 arguments at byte " + at);
            }
            long[] size = longs(t.get(2), at);
            long[] stride = longs(t.get(3), at);
            if (size.length != stride.length) {
                throw error("tensor size " + java.util.Arrays.toString(size) + " and stride "
                        + java.util.Arrays.toString(stride) + " differ in rank at byte " + at);
            }
            return new TensorRef(s, asLong(t.get(1), at), size, stride);
        }
        if (g.equals(REBUILD_PARAMETER)) {
            // _rebuild_parameter(data, requires_grad, backward_hooks): a Parameter is its tensor here
            if (t.size() < 1 || !(t.get(0) instanceof TensorRef tr)) {
                throw error("malformed _rebuild_parameter arguments at byte " + at);
            }
            return tr;
        }
        throw error("refusing to call " + g + " at byte " + at);
    }

    private Object persistentLoad(Object pid, int at) {
        if (pid instanceof Tuple t && t.size() == 5 && "storage".equals(t.get(0)) && t.get(1) instanceof Global g
                && STORAGE_CLASSES.contains(g.name()) && t.get(2) instanceof String key) {
            long numel = asLong(t.get(4), at);
            if (numel < 0) {
                throw error("storage '" + key + "' has negative size " + numel);
            }
            return new StorageRef(key, g.name(), numel);
        }
        throw error("unsupported persistent id " + describe(pid) + " at byte " + at);
    }

    private Map<Object, Object> toMap(List<Object> items, int at) {
        if (items.size() % 2 != 0) {
            throw error("odd number of items for a dict at byte " + at);
        }
        Map<Object, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < items.size(); i += 2) {
            m.put(key(items.get(i), at), items.get(i + 1));
        }
        return m;
    }

    /**
     * Dict keys must be plain values. Python refuses unhashable keys (list, dict) too; here a list or dict key that
     * contains itself (12 bytes of pickle) would send Java's recursive hashCode into a StackOverflowError.
     */
    private Object key(Object k, int at) {
        if (k == null || k instanceof String || k instanceof Long || k instanceof Double || k instanceof Boolean) {
            return k;
        }
        throw error("dict key of type " + describe(k) + " at byte " + at
                + " (a state dict's keys are strings; lists, dicts and tuples are refused as keys)");
    }

    private long[] longs(Object o, int at) {
        if (!(o instanceof Tuple t)) {
            throw error("expected a tuple of integers at byte " + at + ", found " + describe(o));
        }
        long[] r = new long[t.size()];
        for (int i = 0; i < r.length; i++) {
            r[i] = asLong(t.get(i), at);
        }
        return r;
    }

    private long asLong(Object o, int at) {
        if (o instanceof Long l) {
            return l;
        }
        throw error("expected an integer at byte " + at + ", found " + describe(o));
    }

    @SuppressWarnings("unchecked")
    private List<Object> asList(Object o, int at) {
        if (o instanceof ArrayList<?> l) {
            return (List<Object>) l;
        }
        throw error("APPEND to " + describe(o) + " at byte " + at);
    }

    @SuppressWarnings("unchecked")
    private Map<Object, Object> asMap(Object o, int at) {
        if (o instanceof Map<?, ?> m) {
            return (Map<Object, Object>) m;
        }
        throw error("SETITEM on " + describe(o) + " at byte " + at);
    }

    private static String describe(Object o) {
        if (o == null) {
            return "None";
        }
        if (o instanceof Global g) {
            return "'" + g + "'";
        }
        return o.getClass().getSimpleName();
    }

    private void push(Object o) {
        stack.add(o);
    }

    private Object pop(int at) {
        int floor = marks.isEmpty() ? 0 : marks.peek() + 1;
        if (stack.size() <= floor) {
            throw error("malformed pickle: stack underflow at byte " + at);
        }
        return stack.remove(stack.size() - 1);
    }

    private Object peek(int at) {
        int floor = marks.isEmpty() ? 0 : marks.peek() + 1;
        if (stack.size() <= floor) {
            throw error("malformed pickle: empty stack at byte " + at);
        }
        return stack.get(stack.size() - 1);
    }

    private List<Object> popMark(int at) {
        if (marks.isEmpty()) {
            throw error("malformed pickle: no MARK for the opcode at byte " + at);
        }
        int m = marks.pop();
        List<Object> items = new ArrayList<>(stack.subList(m + 1, stack.size()));
        stack.subList(m, stack.size()).clear();
        return items;
    }

    private Object memoGet(long key, int at) {
        if (!memo.containsKey(key)) {
            throw error("malformed pickle: memo entry " + key + " read before it was written, at byte " + at);
        }
        return memo.get(key);
    }

    private SafeUnpickler need(long n, String what) {
        if (n < 0 || n > in.length - pos) {
            throw error("truncated pickle: " + what + " at byte " + (pos - 1) + " needs " + n + " bytes, "
                    + (in.length - pos) + " left");
        }
        return this;
    }

    private void skip(int n) {
        pos += n;
    }

    private int u8() {
        need(1, "argument");
        return in[pos++] & 0xff;
    }

    private int u16() {
        need(2, "argument");
        int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8;
        pos += 2;
        return v;
    }

    private int i32() {
        need(4, "argument");
        int v = (in[pos] & 0xff) | (in[pos + 1] & 0xff) << 8 | (in[pos + 2] & 0xff) << 16 | (in[pos + 3] & 0xff) << 24;
        pos += 4;
        return v;
    }

    private long u32() {
        return i32() & 0xffffffffL;
    }

    private long u64() {
        need(8, "argument");
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        pos += 8;
        return v;
    }

    private Long long1(int at) {
        int n = u8();
        need(n, "LONG1");
        if (n > 8) {
            throw error("integer of " + n + " bytes at byte " + at + " is too large");
        }
        long v = 0;
        for (int i = n - 1; i >= 0; i--) {
            v = (v << 8) | (in[pos + i] & 0xff);
        }
        if (n > 0 && n < 8 && (in[pos + n - 1] & 0x80) != 0) {
            v -= 1L << (8 * n); // two's complement sign
        }
        pos += n;
        return v;
    }

    private String string(long n, String what) {
        need(n, what);
        String s = new String(in, pos, (int) n, StandardCharsets.UTF_8);
        pos += (int) n;
        return s;
    }

    private String line() {
        int start = pos;
        while (pos < in.length && in[pos] != '\n') {
            pos++;
        }
        if (pos >= in.length) {
            throw error("truncated pickle: GLOBAL name at byte " + start + " has no end of line");
        }
        String s = new String(in, start, pos - start, StandardCharsets.UTF_8);
        pos++;
        return s;
    }

    private T2lException error(String msg) {
        return new T2lException(source + ": " + msg);
    }
}
