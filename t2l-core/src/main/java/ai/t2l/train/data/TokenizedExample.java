package ai.t2l.train.data;

/** Token ids of prompt+response and their labels: −100 on the prompt (spec §7.4), the token id elsewhere. */
public record TokenizedExample(int[] ids, int[] labels) {
    public TokenizedExample {
        if (ids.length != labels.length) {
            throw new IllegalArgumentException("ids and labels differ in length: " + ids.length + " vs " + labels.length);
        }
    }

    public int length() {
        return ids.length;
    }

    public int targets() {
        int n = 0;
        for (int l : labels) {
            n += l == -100 ? 0 : 1;
        }
        return n;
    }
}
