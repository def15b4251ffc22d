package ai.t2l.train.data;

import java.util.List;

/** A task after tokenisation and the train/validation split; {@code truncated} counts examples cut to max length. */
public record PreparedTask(String name, List<String> descriptions, List<TokenizedExample> train,
        List<TokenizedExample> validation, int truncated) {
    public PreparedTask {
        descriptions = List.copyOf(descriptions);
        train = List.copyOf(train);
        validation = List.copyOf(validation);
    }
}
