package ai.t2l.io;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** One Jackson mapper for config.json, args.yaml and adapter_config.json, with errors that name the file. */
public final class Json {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);
    public static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private Json() {}

    public static JsonNode read(Path file) {
        return read(file, MAPPER);
    }

    public static JsonNode readYaml(Path file) {
        return read(file, YAML);
    }

    private static JsonNode read(Path file, ObjectMapper mapper) {
        InputFiles.requireRegular(file);
        try {
            JsonNode node = mapper.readTree(Files.readAllBytes(file));
            if (node == null || node.isMissingNode()) {
                throw new T2lException(file + ": the file is empty");
            }
            return node;
        } catch (NoSuchFileException e) {
            throw new T2lException(file + ": no such file");
        } catch (JsonProcessingException e) {
            throw new T2lException(file + ": not valid " + (mapper == YAML ? "YAML" : "JSON") + ": "
                    + e.getOriginalMessage() + " (line " + e.getLocation().getLineNr() + ")");
        } catch (IOException e) {
            throw new T2lException(file + ": cannot read: " + e.getMessage(), e);
        }
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
