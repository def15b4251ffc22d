package ai.t2l.eval.bench;

import java.util.List;

/** What every benchmark states about itself: the reference's task name, the paper's column, the data files. */
abstract class NamedBenchmark implements Benchmark {
    private final String name;
    private final String column;
    private final List<String> files;

    NamedBenchmark(String name, String column, String... files) {
        this.name = name;
        this.column = column;
        this.files = List.of(files);
    }

    @Override
    public final String name() {
        return name;
    }

    @Override
    public final String column() {
        return column;
    }

    @Override
    public final List<String> files() {
        return files;
    }
}
