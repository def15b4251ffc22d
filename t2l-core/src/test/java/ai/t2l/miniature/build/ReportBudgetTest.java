package ai.t2l.miniature.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.t2l.io.Json;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How docs/MINIATURE.md states the budgets of "SFT generalises better than reconstruction". */
class ReportBudgetTest {
    private static Report withSteps(long sft, long recon) {
        Map<String, JsonNode> curves = Map.of("sft-M", Json.MAPPER.createObjectNode().put("steps", sft),
                "recon-M", Json.MAPPER.createObjectNode().put("steps", recon));
        return new Report(null, null, null, null, null, null, 0, 0, null, null, curves);
    }

    @Test
    void unfairOnlyWhenTheClaimedWinnerHadMoreSteps() {
        assertEquals(" (steps: sft-M 7000, recon-M 10000; recon-M had more, so its budget does not favour sft-M)",
                withSteps(7000, 10000).favouring("sft-M", "recon-M"));
        assertEquals(" (steps: sft-M 10000, recon-M 2000; unequal budgets, so this does not test the finding fairly)",
                withSteps(10000, 2000).favouring("sft-M", "recon-M"));
        assertEquals(" (steps: sft-M 7000, recon-M 7000)", withSteps(7000, 7000).favouring("sft-M", "recon-M"));
    }
}
