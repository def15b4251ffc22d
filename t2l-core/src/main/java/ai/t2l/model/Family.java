package ai.t2l.model;

import java.util.Arrays;

/** The supported decoder families, by Hugging Face {@code model_type}. */
public enum Family {
    LLAMA("llama"), MISTRAL("mistral"), GEMMA2("gemma2"), QWEN2("qwen2");

    public final String modelType;

    Family(String modelType) {
        this.modelType = modelType;
    }

    public static Family of(String modelType) {
        for (Family f : values()) {
            if (f.modelType.equals(modelType)) {
                return f;
            }
        }
        return null;
    }

    public static String known() {
        return Arrays.toString(Arrays.stream(values()).map(f -> f.modelType).toArray());
    }
}
