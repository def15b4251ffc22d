package ai.t2l.embed;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import org.junit.jupiter.api.Test;

/** HF truncation to max_length 8192 cuts the text and keeps [SEP] last (the reference tokenises with it). */
class GteTruncationTest {
    @Test
    void longInputKeepsClsAndSep() {
        int[] ids = new int[9000];
        for (int i = 0; i < ids.length; i++) {
            ids[i] = 1000 + i;
        }
        ids[0] = 101;
        ids[ids.length - 1] = 102;
        int[] t = GteTaskEmbedder.truncate(ids);
        assertEquals(8192, t.length);
        assertEquals(101, t[0]);
        assertEquals(102, t[8191]);
        assertEquals(1000 + 8190, t[8190]);
        int[] shortIds = {101, 5, 102};
        assertSame(shortIds, GteTaskEmbedder.truncate(shortIds));
    }
}
