package ai.t2l.eval.bench;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * The subset of Python's {@code str.format} the reference templates use (eval_prompts.json): fields
 * {@code {name}} and {@code {name[key][0]}} looked up in a JSON object shaped like the Hugging Face example.
 */
public final class PyFormat {
    private PyFormat() {}

    public static String format(String template, JsonNode example) {
        StringBuilder out = new StringBuilder(template.length() * 2);
        int i = 0;
        while (i < template.length()) {
            char c = template.charAt(i);
            if (c == '{' && i + 1 < template.length() && template.charAt(i + 1) == '{') {
                out.append('{');
                i += 2;
            } else if (c == '}' && i + 1 < template.length() && template.charAt(i + 1) == '}') {
                out.append('}');
                i += 2;
            } else if (c == '{') {
                int end = template.indexOf('}', i);
                if (end < 0) {
                    throw new IllegalArgumentException("unclosed field at " + i + " in template " + template);
                }
                out.append(lookup(template.substring(i + 1, end), example, template));
                i = end + 1;
            } else {
                out.append(c);
                i++;
            }
        }
        return out.toString();
    }

    private static String lookup(String field, JsonNode example, String template) {
        int bracket = field.indexOf('[');
        String name = bracket < 0 ? field : field.substring(0, bracket);
        JsonNode v = example.get(name);
        int p = bracket;
        while (v != null && p >= 0 && p < field.length()) {
            int close = field.indexOf(']', p);
            String key = field.substring(p + 1, close);
            v = key.chars().allMatch(Character::isDigit) && v.isArray() ? v.get(Integer.parseInt(key)) : v.get(key);
            p = close + 1 < field.length() ? close + 1 : -1;
        }
        if (v == null || v.isContainerNode()) {
            throw new IllegalArgumentException("template field {" + field + "} has no text value in " + example);
        }
        return v.asText();
    }
}
