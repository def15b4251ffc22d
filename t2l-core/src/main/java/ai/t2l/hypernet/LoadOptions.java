package ai.t2l.hypernet;

import java.nio.file.Path;
import java.util.List;

/**
 * Options for loading a T2L checkpoint folder.
 *
 * @param modelDir    the base model folder (its config.json gives layer count and module dims); null = resolve the
 *                    reference's {@code model_dir} (see {@link ReferenceCheckpoint#resolveBaseModel})
 * @param moduleOrder module-type index order for reference checkpoints; null = the order of
 *                    {@code adapter_config.json target_modules} (the robust rule of the fixtures' README: the
 *                    process that trained the model wrote that file in its own set order)
 */
public record LoadOptions(Path modelDir, List<String> moduleOrder) {
    public LoadOptions {
        moduleOrder = moduleOrder == null ? null : List.copyOf(moduleOrder);
    }

    public static LoadOptions defaults() {
        return new LoadOptions(null, null);
    }

    public LoadOptions withModelDir(Path dir) {
        return new LoadOptions(dir, moduleOrder);
    }

    public LoadOptions withModuleOrder(List<String> order) {
        return new LoadOptions(modelDir, order);
    }
}
