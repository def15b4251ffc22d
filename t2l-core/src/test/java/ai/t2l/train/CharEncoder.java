package ai.t2l.train;

import ai.t2l.train.data.ExampleEncoder;
import ai.t2l.train.data.TaskExample;

/**
 * A fake chat tokenizer for tests: id 0 pads, 1 opens the user turn, 2 opens the assistant turn (the "header" that
 * counts in the loss), 3 ends a turn; characters map to 4 + (c mod (vocab − 4)).
 */
final class CharEncoder implements ExampleEncoder {
    final int vocab;
    int calls;

    CharEncoder(int vocab) {
        this.vocab = vocab;
    }

    @Override
    public String fingerprint() {
        return "char-" + vocab;
    }

    @Override
    public int[][] encodePair(TaskExample ex) {
        calls++;
        return new int[][] {turn(1, ex.prompt()), turn(2, ex.response())};
    }

    private int[] turn(int header, String text) {
        int[] ids = new int[text.length() + 2];
        ids[0] = header;
        for (int i = 0; i < text.length(); i++) {
            ids[i + 1] = 4 + text.charAt(i) % (vocab - 4);
        }
        ids[ids.length - 1] = 3;
        return ids;
    }

    @Override
    public int padId() {
        return 0;
    }
}
