package ai.t2l.miniature;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * One operation of a family with its parameter fixed ("shift" with parameter "3"), before any output format.
 *
 * @param family    the family id, e.g. "shift"
 * @param parameter the parameter value, or "" for families without one
 * @param function  maps the input word to the raw (unformatted) answer
 * @param phrases   imperative verb phrases naming the operation and its parameter, lower case, without a full stop
 * @param formats   the output formats this operation may take (one-character or long answers exclude separators)
 */
record Operation(String family, String parameter, UnaryOperator<String> function, List<String> phrases,
                 List<OutputFormat> formats) {

    Operation {
        phrases = List.copyOf(phrases);
        formats = List.copyOf(formats);
    }

    String key() {
        return parameter.isEmpty() ? family : family + "-" + parameter;
    }
}
