package ai.t2l.cli.train;

import ai.t2l.embed.OnnxTaskEmbedder;
import ai.t2l.embed.TaskEmbedder;
import ai.t2l.io.T2lException;
import ai.t2l.lora.LoraConfig;
import ai.t2l.model.ModelConfig;
import ai.t2l.tokenizer.Tokenizer;
import ai.t2l.train.SftTrainer;
import ai.t2l.train.TrainListener;
import ai.t2l.train.data.ChatExampleEncoder;
import ai.t2l.train.data.DataPrep;
import ai.t2l.train.data.Descriptions;
import ai.t2l.train.data.JsonlTasks;
import ai.t2l.train.data.PreparedTask;
import ai.t2l.train.data.ReferenceTaskLists;
import ai.t2l.train.data.SniFolder;
import ai.t2l.train.data.SniSplit;
import ai.t2l.train.data.SniTasks;
import ai.t2l.train.data.TaskData;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/** Turns the data settings of {@link Keys#data} into prepared tasks, description embeddings and a LoRA config. */
final class TaskInputs {
    private TaskInputs() {}

    /** A task file with this name is named after its folder (the layout of one folder per task). */
    static final String TRAIN_JSONL = "train.jsonl";

    /**
     * The task files named by 'tasks': files, or folders, which expand to their *.json / *.jsonl files and to the
     * train.jsonl of each subfolder (sorted), so a folder of task folders works as it is.
     */
    static List<Path> taskFiles(Settings s) {
        return taskFiles(s, "tasks", msg -> { });
    }

    /**
     * The task files named by setting {@code key}; for 'tasks' also those of 'train_tasks' (a list of SNI task
     * names looked up in 'sni_dir'; {@code warn} hears about the ones skipped under missing_tasks: skip).
     */
    static List<Path> taskFiles(Settings s, String key, Consumer<String> warn) {
        List<Path> files = new ArrayList<>();
        if (key.equals("tasks") && !s.str("train_tasks").isEmpty()) {
            files.addAll(listedTaskFiles(s, warn));
        }
        for (String t : s.list(key)) {
            Path p = Paths.get(t);
            if (Files.isDirectory(p)) {
                try (Stream<Path> st = Files.list(p)) {
                    st.sorted().forEach(f -> {
                        if (Files.isDirectory(f) && Files.isRegularFile(f.resolve(TRAIN_JSONL))) {
                            files.add(f.resolve(TRAIN_JSONL));
                        } else if (f.toString().endsWith(".json") || f.toString().endsWith(".jsonl")) {
                            files.add(f);
                        }
                    });
                } catch (IOException e) {
                    throw new T2lException(p + ": cannot list task folder: " + e.getMessage(), e);
                }
            } else if (Files.isRegularFile(p)) {
                files.add(p);
            } else {
                throw new T2lException("setting '" + key + "': no such file or folder " + p);
            }
        }
        if (files.isEmpty()) {
            throw new T2lException("setting '" + key + "' names no task files (JSONL or SNI .json)"
                    + (key.equals("tasks") ? "; or set train_tasks (e.g. reference-479) and sni_dir" : ""));
        }
        return files;
    }

    /** The files of setting 'train_tasks' in 'sni_dir' (issue 12 item 9). */
    static List<Path> listedTaskFiles(Settings s, Consumer<String> warn) {
        String missing = s.str("missing_tasks");
        if (!missing.equals("error") && !missing.equals("skip")) {
            throw new T2lException("setting 'missing_tasks' must be error or skip, found '" + missing + "'");
        }
        Path dir = s.path("sni_dir");
        if (dir == null) {
            throw new T2lException("setting 'train_tasks' (" + s.str("train_tasks") + ") needs 'sni_dir': the folder"
                    + " of Super-NaturalInstructions task files (natural-instructions/tasks, taskNNN_*.json)");
        }
        List<String> names = ReferenceTaskLists.select(s.str("train_tasks"));
        return SniFolder.resolve(dir, names, missing.equals("skip"), warn);
    }

    /** reverse.jsonl is task "reverse"; reverse/train.jsonl is task "reverse" too (issue 10 item 17). */
    static String taskName(Path file) {
        String n = file.getFileName().toString();
        Path parent = file.toAbsolutePath().normalize().getParent();
        if (n.equals(TRAIN_JSONL) && parent != null && parent.getFileName() != null) {
            return parent.getFileName().toString();
        }
        return n.endsWith(".jsonl") ? n.substring(0, n.length() - 6) : SniTasks.taskName(file);
    }

    /** Two files with one task name would silently share descriptions and mix in reports: refused. */
    static void checkUnique(List<Path> files, List<String> names) {
        for (int i = 0; i < names.size(); i++) {
            int j = names.indexOf(names.get(i));
            if (j != i) {
                throw new T2lException("setting 'tasks': " + files.get(j) + " and " + files.get(i)
                        + " both give the task name '" + names.get(i) + "'; rename one");
            }
        }
    }

    /** Reads every task with its descriptions; {@code requireDescriptions}: a task without any is refused. */
    static List<TaskData> read(Settings s, boolean requireDescriptions) {
        return read(s, "tasks", requireDescriptions, msg -> System.err.println("warning: " + msg));
    }

    /** As {@link #read(Settings, boolean)}, warnings (skipped listed tasks) to {@code warn}. */
    static List<TaskData> read(Settings s, boolean requireDescriptions, Consumer<String> warn) {
        return read(s, "tasks", requireDescriptions, warn);
    }

    /** As {@link #read(Settings, boolean)} for the task files of setting {@code key}. */
    static List<TaskData> read(Settings s, String key, boolean requireDescriptions) {
        return read(s, key, requireDescriptions, msg -> System.err.println("warning: " + msg));
    }

    static List<TaskData> read(Settings s, String key, boolean requireDescriptions, Consumer<String> warn) {
        List<Path> files = taskFiles(s, key, warn);
        List<String> names = files.stream().map(TaskInputs::taskName).toList();
        checkUnique(files, names);
        Map<String, List<String>> descs = s.path("descriptions_file") == null ? Map.of()
                : Descriptions.read(s.path("descriptions_file"), new HashSet<>(names), s.integer("n_descs_per_ds"));
        List<String> inline = s.list("descriptions");
        if (!inline.isEmpty() && files.size() != 1) {
            throw new T2lException("setting 'descriptions' (inline) applies to a single task file, but 'tasks' names "
                    + files.size() + "; use descriptions_file for several tasks");
        }
        String template = s.str("prompt_template");
        JsonlTasks.Format format = new JsonlTasks.Format(template.isEmpty() ? null : template, s.str("response_field"),
                s.str("assistant_prefill"), s.str("assistant_postfill"));
        List<TaskData> out = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            List<String> d = new ArrayList<>(descs.getOrDefault(names.get(i), List.of()));
            d.addAll(inline);
            if (requireDescriptions && d.isEmpty()) {
                throw new T2lException("task " + names.get(i) + " (" + files.get(i) + ") has no descriptions"
                        + (s.path("descriptions_file") == null ? "; set descriptions_file or descriptions"
                                : " in " + s.path("descriptions_file")));
            }
            Path f = files.get(i);
            out.add(f.toString().endsWith(".jsonl") ? JsonlTasks.read(f, names.get(i), d, format)
                    : readSni(f, names.get(i), d, s, key));
        }
        return out;
    }

    /** The reference's train task size cap: {@code split: train[:10000]} of every lol metadata.yaml (spec §6.5). */
    static final int SNI_TRAIN_LIMIT = 10000;

    /**
     * An SNI task as the reference loads it (spec §6.5, §7.3): the Lots-of-LoRAs train part, first 10000, except that
     * a task with a validation split takes the whole train part ({@code train[:90%]} / {@code train[90%:]}) and the
     * unseen validation set takes the valid part ({@code valid[:500]}); sni_split: all keeps every instance.
     */
    private static TaskData readSni(Path f, String name, List<String> d, Settings s, String key) {
        String split = s.str("sni_split");
        if (split.equals("all")) {
            return SniTasks.read(f, d);
        }
        if (!split.equals("reference")) {
            throw new T2lException("setting 'sni_split' must be reference or all, found '" + split + "'");
        }
        if (key.equals("val_unseen_tasks")) {
            return SniTasks.read(f, d, SniSplit.Part.VALID, 0);
        }
        Set<String> val = valTasks(s.list("val_tasks"));
        return SniTasks.read(f, d, SniSplit.Part.TRAIN, val == null || val.contains(name) ? 0 : SNI_TRAIN_LIMIT);
    }

    /** {@link #checkContamination(List, Settings, TrainListener)} for the task files of 'tasks' and 'train_tasks'. */
    static void checkContamination(Settings s, TrainListener listener) {
        checkContamination(taskFiles(s).stream().map(TaskInputs::taskName).toList(), s, listener);
    }

    /**
     * Refuses (contaminated_tasks: refuse) or reports (warn) the training tasks that the reference keeps out of T2L
     * training: its decontaminated and held-out evaluation tasks (issue 12 item 9), each with the reason.
     */
    static void checkContamination(List<String> taskNames, Settings s, TrainListener listener) {
        String mode = s.str("contaminated_tasks");
        if (!mode.equals("refuse") && !mode.equals("warn")) {
            throw new T2lException("setting 'contaminated_tasks' must be refuse or warn, found '" + mode + "'");
        }
        List<String> found = new ArrayList<>();
        for (String t : taskNames) {
            String why = ReferenceTaskLists.contamination(t);
            if (why != null) {
                found.add(t + ": " + why);
            }
        }
        if (found.isEmpty()) {
            return;
        }
        if (mode.equals("refuse")) {
            throw new T2lException(found.size() + " training task(s) would contaminate the evaluation: "
                    + String.join("; ", found) + ". Remove them from the tasks, or set contaminated_tasks: warn to"
                    + " train on them anyway");
        }
        found.forEach(f -> listener.onMessage("warning: contaminated training task (contaminated_tasks: warn) " + f));
    }

    static Path tokenizerDir(Settings s, Path fallback) {
        Path t = s.path("tokenizer");
        return t != null ? t : fallback;
    }

    /** Every task gets a validation split (an oracle LoRA's single task, base-model training). */
    static List<PreparedTask> prepare(List<TaskData> tasks, Tokenizer tok, ModelConfig mc, Settings s,
            TrainListener listener) {
        return prepare(tasks, tok, mc, s, null, listener);
    }

    /** Only the tasks of setting 'val_tasks' get a validation split (sft, mt-lora; spec §6.5). */
    static List<PreparedTask> prepareWithValTasks(List<TaskData> tasks, Tokenizer tok, ModelConfig mc, Settings s,
            TrainListener listener) {
        Set<String> val = valTasks(s.list("val_tasks"));
        if (val != null && tasks.stream().noneMatch(t -> val.contains(t.name()))) {
            listener.onMessage("no task has a validation split (val_tasks " + s.list("val_tasks")
                    + " names none of the training tasks); set val_tasks to \"all\" or to task names to validate");
        }
        return prepare(tasks, tok, mc, s, val, listener);
    }

    /**
     * A further SFT validation set (spec §6.5: {@code val/unseen}, {@code val/benchmark}) from the task files of
     * setting {@code key}: every task's first {@code val_limit} examples validate (the reference's
     * {@code valid[:500]} / {@code train[:500]}), with its descriptions. Null when the setting is empty.
     */
    static SftTrainer.ValidationSet validationSet(String name, String key, Settings s, Tokenizer tok, ModelConfig mc,
            Conditioning cond, TrainListener listener) {
        if (s.list(key).isEmpty()) {
            return null;
        }
        List<TaskData> data = read(s, key, cond.needsDescriptions());
        List<PreparedTask> all = prepare(data, tok, mc, s, Set.of(), listener);
        List<PreparedTask> val = new ArrayList<>();
        int limit = s.integer("val_limit");
        for (PreparedTask p : all) {
            val.add(new PreparedTask(p.name(), p.descriptions(), List.of(),
                    p.train().subList(0, Math.min(limit, p.train().size())), p.truncated()));
        }
        val = cond.validationTasks(val);
        return new SftTrainer.ValidationSet(name, val, cond.embed(data, val, listener));
    }

    /** "reference" → the reference's eval tasks; "all" → null (every task); else the names given. */
    static Set<String> valTasks(List<String> setting) {
        if (setting.equals(List.of("all"))) {
            return null;
        }
        Set<String> out = new HashSet<>();
        for (String v : setting) {
            if (v.equals("reference")) {
                out.addAll(ReferenceTaskLists.EVAL_TASKS);
            } else if (v.equals("all")) {
                throw new T2lException("setting 'val_tasks': \"all\" cannot be combined with task names, found "
                        + setting);
            } else {
                out.add(v);
            }
        }
        return out;
    }

    private static List<PreparedTask> prepare(List<TaskData> tasks, Tokenizer tok, ModelConfig mc, Settings s,
            Set<String> valTasks, TrainListener listener) {
        ChatExampleEncoder enc = encoder(tok, mc, s);
        return DataPrep.prepare(tasks, enc, new DataPrep.Settings(s.integer("max_length"), s.dbl("val_fraction"),
                s.path("cache_dir"), valTasks), listener::onMessage);
    }

    static ChatExampleEncoder encoder(Tokenizer tok, ModelConfig mc, Settings s) {
        ChatExampleEncoder byModel = ChatExampleEncoder.forModel(tok, mc);
        return new ChatExampleEncoder(tok, ai.t2l.tokenizer.ChatFormat.forFamily(mc.family()),
                s.str("system_message"), byModel.padId());
    }

    static TaskEmbedder embedder(Settings s) {
        Path dir = s.path("encoder");
        return dir == null ? OnnxTaskEmbedder.bundled()
                : OnnxTaskEmbedder.fromFolder(dir, OnnxTaskEmbedder.Pooling.valueOf(s.str("pooling").toUpperCase()));
    }

    /** Every task's description embeddings (n, dim), in task order. */
    static List<float[][]> embed(List<PreparedTask> tasks, TaskEmbedder e, TrainListener listener) {
        List<float[][]> out = new ArrayList<>();
        int n = 0;
        for (PreparedTask t : tasks) {
            float[][] rows = new float[t.descriptions().size()][];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = e.embed(t.descriptions().get(i)).vector();
            }
            n += rows.length;
            out.add(rows);
        }
        listener.onMessage("embedded " + n + " descriptions with " + e.name());
        return out;
    }

    static LoraConfig lora(Settings s) {
        return new LoraConfig(s.integer("lora_r"), s.dbl("lora_alpha"), s.bool("use_rslora"), s.dbl("lora_dropout"),
                s.list("target_modules"));
    }
}
