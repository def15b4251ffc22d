package ai.t2l.cli.train;

import ai.t2l.io.Json;
import ai.t2l.io.T2lException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A training command's resolved settings: the command's defaults, then a YAML/JSON config file, then
 * {@code --key value} / {@code --key=value} overrides (kebab-case keys are read as snake_case), as the reference's
 * hm/configs.py does (spec §10): unknown keys are refused, bools are true/false, lists are comma-separated. The
 * type of each key is the type of its default: Boolean, Integer, Long, Double, String or List of String.
 */
public final class Settings {
    private final Map<String, Object> defaults;
    private final ObjectNode values;

    private Settings(Map<String, Object> defaults, ObjectNode values) {
        this.defaults = defaults;
        this.values = values;
    }

    public static Settings resolve(Map<String, Object> defaults, Path configFile, List<String> overrides) {
        ObjectNode v = Json.MAPPER.createObjectNode();
        defaults.forEach((k, d) -> v.set(k, Json.MAPPER.valueToTree(d)));
        if (configFile != null) {
            if (!Files.isRegularFile(configFile)) {
                throw new T2lException(configFile + ": no such config file");
            }
            String name = configFile.getFileName().toString();
            JsonNode root = name.endsWith(".json") ? Json.read(configFile) : Json.readYaml(configFile);
            if (root == null || root.isNull() || root.isMissingNode()) {
                root = Json.MAPPER.createObjectNode(); // an empty YAML file
            }
            if (!root.isObject()) {
                throw new T2lException(configFile + ": expected a mapping of key: value, found " + root.getNodeType());
            }
            for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> e = it.next();
                String key = known(defaults, e.getKey(), configFile.toString());
                v.set(key, fromJson(defaults.get(key), e.getValue(), configFile + ": key '" + key + "'"));
            }
        }
        for (Map.Entry<String, String> o : parseOverrides(overrides).entrySet()) {
            String key = known(defaults, o.getKey(), "--" + o.getKey());
            v.set(key, fromText(defaults.get(key), o.getValue(), "--" + o.getKey()));
        }
        return new Settings(defaults, v);
    }

    /** {@code --a 1 --b=2 --flag} → {a: 1, b: 2, flag: true}; a repeated key is refused. */
    static Map<String, String> parseOverrides(List<String> args) {
        Map<String, String> out = new LinkedHashMap<>();
        for (int i = 0; args != null && i < args.size(); i++) {
            String a = args.get(i);
            if (!a.startsWith("--") || a.length() == 2) {
                throw new T2lException("unexpected argument '" + a + "': overrides are --key value or --key=value");
            }
            String key;
            String value;
            int eq = a.indexOf('=');
            if (eq > 0) {
                key = a.substring(2, eq);
                value = a.substring(eq + 1);
            } else {
                key = a.substring(2);
                boolean hasValue = i + 1 < args.size() && !args.get(i + 1).startsWith("--");
                value = hasValue ? args.get(++i) : "true";
            }
            key = key.replace('-', '_');
            if (out.put(key, value) != null) {
                throw new T2lException("--" + key + " is given twice");
            }
        }
        return out;
    }

    private static String known(Map<String, Object> defaults, String key, String where) {
        String k = key.replace('-', '_');
        if (!defaults.containsKey(k)) {
            throw new T2lException(where + ": unknown key '" + key + "'; valid keys: " + String.join(", ", defaults.keySet()));
        }
        return k;
    }

    private static JsonNode fromJson(Object def, JsonNode n, String where) {
        if (def instanceof List<?>) {
            if (n.isArray()) {
                ArrayNode a = Json.MAPPER.createArrayNode();
                n.forEach(x -> {
                    if (!x.isValueNode()) {
                        throw new T2lException(where + " must be a list of strings, found " + n);
                    }
                    a.add(x.asText());
                });
                return a;
            }
            return fromText(def, n.asText(), where);
        }
        if (def instanceof Boolean && !n.isBoolean() || def instanceof Integer && !n.canConvertToInt()
                || def instanceof Integer && !n.isIntegralNumber() || def instanceof Long && !n.isIntegralNumber()
                || def instanceof Double && !n.isNumber() || def instanceof String && !n.isValueNode()) {
            if (n.isTextual()) {
                return fromText(def, n.asText(), where); // YAML "1e-3" is a string in YAML 1.1
            }
            throw new T2lException(where + " must be " + typeName(def) + ", found " + n);
        }
        return def instanceof String ? Json.MAPPER.getNodeFactory().textNode(n.asText()) : n;
    }

    private static JsonNode fromText(Object def, String s, String where) {
        try {
            if (def instanceof Boolean) {
                if (!s.equals("true") && !s.equals("True") && !s.equals("false") && !s.equals("False")) {
                    throw new NumberFormatException();
                }
                return Json.MAPPER.valueToTree(s.equalsIgnoreCase("true"));
            }
            if (def instanceof Integer) {
                return Json.MAPPER.valueToTree(Integer.parseInt(s.strip()));
            }
            if (def instanceof Long) {
                return Json.MAPPER.valueToTree(Long.parseLong(s.strip()));
            }
            if (def instanceof Double) {
                return Json.MAPPER.valueToTree(Double.parseDouble(s.strip()));
            }
        } catch (NumberFormatException e) {
            throw new T2lException(where + " must be " + typeName(def) + ", found '" + s + "'");
        }
        if (def instanceof List<?>) {
            ArrayNode a = Json.MAPPER.createArrayNode();
            for (String part : s.split(",")) {
                if (!part.isBlank()) {
                    a.add(part.strip());
                }
            }
            return a;
        }
        return Json.MAPPER.getNodeFactory().textNode(s);
    }

    private static String typeName(Object def) {
        if (def instanceof Boolean) {
            return "true or false";
        }
        if (def instanceof Integer || def instanceof Long) {
            return "an integer";
        }
        if (def instanceof Double) {
            return "a number";
        }
        return def instanceof List<?> ? "a list (comma-separated on the command line)" : "a string";
    }

    /** The resolved settings, every key present: what goes into run.json and what --dry-run prints. */
    public ObjectNode json() {
        return values.deepCopy();
    }

    public String str(String key) {
        return node(key).asText();
    }

    public int integer(String key) {
        return node(key).asInt();
    }

    public long lng(String key) {
        return node(key).asLong();
    }

    public double dbl(String key) {
        return node(key).asDouble();
    }

    public boolean bool(String key) {
        return node(key).asBoolean();
    }

    public List<String> list(String key) {
        List<String> out = new ArrayList<>();
        node(key).forEach(n -> out.add(n.asText()));
        return out;
    }

    /** A path setting; null when empty. */
    public Path path(String key) {
        String s = str(key);
        return s.isEmpty() ? null : Paths.get(s.startsWith("~/") ? System.getProperty("user.home") + s.substring(1) : s);
    }

    public Path requirePath(String key) {
        Path p = path(key);
        if (p == null) {
            throw new T2lException("missing setting '" + key + "': set it in the config file or pass --" + key + " VALUE");
        }
        return p;
    }

    private JsonNode node(String key) {
        if (!defaults.containsKey(key)) {
            throw new IllegalArgumentException("no setting " + key); // a programming error, not user input
        }
        return values.get(key);
    }
}
