package ai.t2l.tokenizer;

import java.util.Arrays;

/**
 * Incremental detokenizer for streaming generation. Decoding one token at a time is wrong twice over: a character
 * split across byte-level tokens decodes to U+FFFD until its last byte arrives, and SentencePiece decoders drop the
 * leading space of whatever they decode first. So, as in Hugging Face text-generation-inference's
 * {@code decode_token}, each new token is decoded together with a few tokens before it (from {@code prefixOffset}),
 * and only the text beyond what those earlier tokens already gave is emitted, once it no longer ends in U+FFFD.
 * The concatenation of every {@link #push} and the final {@link #flush} equals decoding all ids at once.
 */
public final class StreamingDecoder {
    private final Tokenizer tokenizer;
    private final boolean skipSpecialTokens;
    private int[] ids = new int[16];
    private int count;
    private int prefixOffset; // start of the context window decoded with each new token
    private int readOffset;   // tokens before this have had their text emitted

    StreamingDecoder(Tokenizer tokenizer, boolean skipSpecialTokens) {
        this.tokenizer = tokenizer;
        this.skipSpecialTokens = skipSpecialTokens;
    }

    /** Adds one token; returns the newly completed text (possibly empty). */
    public String push(int id) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, count * 2);
        }
        ids[count++] = id;
        String before = decode(prefixOffset, readOffset);
        String now = decode(prefixOffset, count);
        if (now.length() > before.length() && !now.endsWith("\uFFFD")) {
            prefixOffset = readOffset;
            readOffset = count;
            return now.substring(before.length());
        }
        return "";
    }

    /** The text still held back at the end of the stream (an incomplete character decodes to U+FFFD here). */
    public String flush() {
        String before = decode(prefixOffset, readOffset);
        String now = decode(prefixOffset, count);
        prefixOffset = readOffset = count;
        return now.length() > before.length() ? now.substring(before.length()) : "";
    }

    private String decode(int from, int to) {
        return from == to ? "" : tokenizer.decode(Arrays.copyOfRange(ids, from, to), skipSpecialTokens);
    }
}
