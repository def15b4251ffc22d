package ai.t2l.tokenizer;

import ai.t2l.io.T2lException;
import java.util.Arrays;
import java.util.List;

/**
 * One completion-mode training example as the reference builds it (spec §7.4, hm/utils/preprocessing.py):
 * <ul>
 *   <li>prompt = format.render([system: systemMessage, user: user], addGenerationPrompt=false);</li>
 *   <li>response = format.render([assistant: prefill + response + postfill]) on its own, so it carries the
 *       template's assistant header or turn markup;</li>
 *   <li>both tokenized with add_special_tokens=False (special-token text inside them is parsed) and, as a pair,
 *       truncated on the left with longest_first to at most maxLength tokens in all (512 in the reference);</li>
 *   <li>labels: -100 on every prompt token, the id itself on every response token.</li>
 * </ul>
 * The assistant header tokens (e.g. Llama's {@code <|start_header_id|>assistant<|end_header_id|>\n\n}, Gemma's
 * {@code <start_of_turn>model\n}) are in the response and therefore in the loss. That is the reference's behaviour
 * (spec §7.4, §12 item 6) and we keep it on purpose, so that losses and trained weights compare with it.
 *
 * @param truncatedTokens how many tokens the max-length rule removed (0 when the pair fit)
 */
public record CompletionExample(String prompt, String response, int[] promptIds, int[] responseIds,
        int truncatedTokens) {
    /** Label of a position that does not count in the loss (PyTorch cross_entropy's ignore_index). */
    public static final int IGNORE_INDEX = -100;

    public int length() {
        return promptIds.length + responseIds.length;
    }

    /** Prompt ids followed by response ids. */
    public int[] inputIds() {
        int[] out = Arrays.copyOf(promptIds, length());
        System.arraycopy(responseIds, 0, out, promptIds.length, responseIds.length);
        return out;
    }

    /** -100 on prompt positions, the token id on response positions. */
    public int[] labels() {
        int[] out = inputIds();
        Arrays.fill(out, 0, promptIds.length, IGNORE_INDEX);
        return out;
    }

    /** 0 for the prompt, 1 for the response (HF's sequence ids of a pair). */
    public int[] sequenceIds() {
        int[] out = new int[length()];
        Arrays.fill(out, promptIds.length, out.length, 1);
        return out;
    }

    public boolean truncated() {
        return truncatedTokens > 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Required: {@link #setFormat}; {@link #setTokenizer} for {@link #build}. Optional: the opt* settings. */
    public static final class Builder {
        private ChatFormat format;
        private Tokenizer tokenizer;
        private String systemMessage = ""; // the reference's system_message default
        private String assistantPrefill = "";
        private String assistantPostfill = "";
        private int maxLength = 512; // the reference's max_length

        private Builder() {}

        public Builder setFormat(ChatFormat format) {
            this.format = format;
            return this;
        }

        public Builder setTokenizer(Tokenizer tokenizer) {
            this.tokenizer = tokenizer;
            return this;
        }

        public Builder optSystemMessage(String systemMessage) {
            this.systemMessage = systemMessage;
            return this;
        }

        /** Text put before the response inside the assistant turn (e.g. GSM8K's "Let's think step by step. "). */
        public Builder optAssistantPrefill(String prefill) {
            this.assistantPrefill = prefill;
            return this;
        }

        public Builder optAssistantPostfill(String postfill) {
            this.assistantPostfill = postfill;
            return this;
        }

        public Builder optMaxLength(int maxLength) {
            if (maxLength <= 0) {
                throw new T2lException("max length must be positive, found " + maxLength);
            }
            this.maxLength = maxLength;
            return this;
        }

        /** The rendered prompt string: system + user turns, no generation prompt. */
        public String renderPrompt(String user) {
            return format().render(List.of(ChatMessage.system(systemMessage), ChatMessage.user(user)), false);
        }

        /** The rendered response string: the assistant turn rendered alone. */
        public String renderResponse(String response) {
            String content = assistantPrefill + response + assistantPostfill;
            return format().render(List.of(ChatMessage.assistant(content)), false);
        }

        public CompletionExample build(String user, String response) {
            if (tokenizer == null) {
                throw new IllegalStateException("CompletionExample.Builder: setTokenizer(...) is required");
            }
            String prompt = renderPrompt(user);
            String resp = renderResponse(response);
            int[] p = tokenizer.encode(prompt, false);
            int[] r = tokenizer.encode(resp, false);
            int[] keep = PairTruncation.lengths(p.length, r.length, maxLength);
            // truncation side left (the reference sets tokenizer.truncation_side = "left"): keep the last tokens
            int[] pk = Arrays.copyOfRange(p, p.length - keep[0], p.length);
            int[] rk = Arrays.copyOfRange(r, r.length - keep[1], r.length);
            return new CompletionExample(prompt, resp, pk, rk, p.length + r.length - keep[0] - keep[1]);
        }

        private ChatFormat format() {
            if (format == null) {
                throw new IllegalStateException("CompletionExample.Builder: setFormat(...) is required");
            }
            return format;
        }
    }
}
