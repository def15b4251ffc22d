package ai.t2l.embed;

/**
 * A description embedded for the hypernetwork: L2-normalised and scaled to norm √dim (T2L-SPEC §3).
 *
 * @param text     the text that was embedded, after {@link TaskText#prepare} (or a note for precomputed input)
 * @param tokens   tokens fed to the encoder (0 when precomputed)
 * @param notice   something the user should be told (e.g. truncation), or null
 */
public record TaskEmbedding(float[] vector, String text, int tokens, String notice) {
    public int dimension() {
        return vector.length;
    }
}
