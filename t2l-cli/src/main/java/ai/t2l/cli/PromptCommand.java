package ai.t2l.cli;

import ai.t2l.io.AtomicFiles;
import ai.t2l.io.T2lException;
import ai.t2l.model.ModelConfig;
import ai.t2l.tokenizer.ChatFormat;
import ai.t2l.tokenizer.ChatMessage;
import ai.t2l.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code t2l prompt}: renders a conversation exactly as the model family's chat template does. */
@Command(name = "prompt", mixinStandardHelpOptions = true,
        description = "Render a conversation (a JSON list of {\"role\", \"content\"}) with a chat format.")
public final class PromptCommand implements Callable<Integer> {
    static final class Source {
        @Option(names = "--model", paramLabel = "DIR",
                description = "Hugging Face model folder: the format follows config.json's model_type")
        Path model;

        @Option(names = "--format", paramLabel = "NAME", description = "mistral, llama3, gemma2 or qwen2")
        String format;
    }

    @ArgGroup(exclusive = true, multiplicity = "1")
    Source source;

    @Option(names = "--messages", paramLabel = "FILE.json", required = true,
            description = "JSON list of {\"role\", \"content\"} objects")
    Path messages;

    @Option(names = "--add-generation-prompt", description = "end with the assistant header, ready to generate")
    boolean addGenerationPrompt;

    @Option(names = "--ids", description = "also print the token ids (add_special_tokens=False; needs --model)")
    boolean ids;

    @Option(names = "--out", paramLabel = "FILE", description = "write the exact rendered string, nothing else")
    Path out;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        if (ids && source.model == null) {
            throw new T2lException("--ids needs --model DIR (a folder with tokenizer.json) to tokenize with");
        }
        ChatFormat format = source.model != null
                ? ChatFormat.forModel(source.model)
                : ChatFormat.byName(source.format);
        List<ChatMessage> conversation = ChatMessage.readList(messages);
        String rendered;
        try {
            rendered = format.render(conversation, addGenerationPrompt);
        } catch (T2lException e) {
            throw new T2lException(messages + ": " + e.getMessage(), e);
        }
        int[] tokenIds = null;
        if (ids) {
            try (Tokenizer tok = Tokenizer.open(source.model)) {
                tokenIds = tok.encode(rendered, false); // the template writes its own bos/special tokens
            }
        }
        PrintWriter stdout = spec.commandLine().getOut();
        if (out != null) {
            AtomicFiles.writeString(out, rendered);
        } else {
            stdout.print(rendered);
            if (tokenIds != null) {
                stdout.println();
            }
        }
        if (tokenIds != null) {
            stdout.println(Arrays.stream(tokenIds).mapToObj(Integer::toString).collect(Collectors.joining(",")));
        }
        stdout.flush();
        return 0;
    }
}
