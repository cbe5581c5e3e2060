package io.reseal.pipeline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration document onto validating records. Unknown keys, wrong types and values
 * a record's constructor rejects all become one {@link InvalidConfigException} naming the key path and
 * the line. Thread-safe.
 */
public final class YamlConfigReader {

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private YamlConfigReader() {}

    /** Reads {@code in} as a {@code type}; {@code what} names the source in errors (e.g. the file path). */
    public static <T> T read(InputStream in, Class<T> type, String what) {
        try {
            T value = YAML.readValue(in, type);
            if (value == null) {
                throw new InvalidConfigException(what + ": the configuration is empty");
            }
            return value;
        } catch (UnrecognizedPropertyException e) {
            String oneOf = OneOfKeys.of(e.getReferringClass());
            if (oneOf != null) {
                throw new InvalidConfigException(what + ": invalid value at '" + parentPath(e) + "'" + line(e.getLocation())
                        + ": write exactly one of " + oneOf);
            }
            throw new InvalidConfigException(what + ": unknown key '" + path(e) + "'" + line(e.getLocation())
                    + "; known keys here: " + e.getKnownPropertyIds().stream().map(Object::toString).sorted()
                    .collect(Collectors.joining(", ")));
        } catch (InvalidTypeIdException e) {
            String oneOf = OneOfKeys.of(e.getBaseType().getRawClass());
            throw new InvalidConfigException(what + ": invalid value at '" + path(e) + "'" + line(e.getLocation())
                    + ": " + (oneOf != null ? "write exactly one of " + oneOf : e.getOriginalMessage()));
        } catch (JsonMappingException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) root = root.getCause();
            String reason = root instanceof IllegalArgumentException || root instanceof NullPointerException
                    ? root.getMessage()
                    : e.getOriginalMessage();
            throw new InvalidConfigException(what + ": invalid value at '" + path(e) + "'" + line(e.getLocation())
                    + ": " + reason);
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": cannot read the configuration: " + e.getMessage());
        }
    }

    /** The path of the object holding the property the error is about. */
    private static String parentPath(JsonMappingException e) {
        String path = path(e);
        int dot = path.lastIndexOf('.');
        return dot < 0 ? "(top level)" : path.substring(0, dot);
    }

    private static String path(JsonMappingException e) {
        StringBuilder path = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (path.length() > 0) path.append('.');
                path.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "(top level)" : path.toString();
    }

    private static String line(JsonLocation location) {
        return location == null || location.getLineNr() < 1 ? "" : " (line " + location.getLineNr() + ")";
    }
}
