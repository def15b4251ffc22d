package ai.t2l.model;

import ai.t2l.compute.Bf16DotLibrary;
import ai.t2l.compute.NativeRows;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * llama_bf16 with its bf16 weights used in place, on the native few-row products ({@code Bf16Rows}) and on the Java
 * kernels, each held to HF's float32-compute logits at {@link GoldenModelTest#ATOL}: the prompts (their rows in
 * groups of up to 8), the greedy continuation and every cached decoding step. Once the library is loaded the native
 * products are the default, so without this test the other golden tests would cover whichever path ran first.
 */
class Bf16RowsGoldenTest {
    @ParameterizedTest(name = "native rows {0}")
    @ValueSource(booleans = {true, false})
    void llamaBf16InPlaceMatchesTheReference(boolean nativeRows) {
        Bf16DotLibrary.require();
        GoldenModelTest golden = new GoldenModelTest();
        Golden g = Golden.LLAMA_BF16_STORED;
        NativeRows.with(nativeRows, () -> {
            golden.logitsOfBothPrompts(g);
            golden.greedyContinuationIsExact(g);
            golden.cachedDecodingReproducesFullForwardRows(g);
            return null;
        });
    }
}
