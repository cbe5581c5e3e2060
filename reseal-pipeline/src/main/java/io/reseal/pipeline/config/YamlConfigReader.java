package io.reseal.pipeline.config;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonPointer;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.InvalidTypeIdException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.time.temporal.TemporalAmount;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import java.util.stream.Collectors;

/**
 * Reads a YAML configuration document onto validating records. Unknown keys, wrong types and values a record's
 * constructor rejects are all reported at once, in one {@link InvalidConfigException}, each naming the key path
 * and the line. No message ever holds a value of the file: a YAML syntax error names line, column and the
 * parser's complaint without the quoted line, a wrong type names what was expected and what was found (a
 * string, a list), and only the records' own validation messages (which print no credential) are passed on.
 * Thread-safe.
 */
public final class YamlConfigReader {

    /** Enough to list every problem of a hand-written file; a file with more is reported in part. */
    private static final int MAX_PROBLEMS = 50;

    private static final ObjectMapper YAML = YAMLMapper.builder()
            .addModule(new JavaTimeModule())
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .build();

    private YamlConfigReader() {}

    /** Reads {@code in} as a {@code type}; {@code what} names the source in errors (e.g. the file path). */
    public static <T> T read(InputStream in, Class<T> type, String what) {
        byte[] yaml;
        try {
            yaml = in.readAllBytes();
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": cannot read the configuration (" + e.getClass().getSimpleName() + ")");
        }
        return read(yaml, UnaryOperator.identity(), type, what);
    }

    /**
     * Reads {@code yaml} as a {@code type} after {@code adjust} changed its tree (environment overrides, sections
     * left out); lines in errors are those of {@code yaml}, absent for keys only {@code adjust} added.
     */
    public static <T> T read(byte[] yaml, UnaryOperator<ObjectNode> adjust, Class<T> type, String what) {
        JsonNode parsed;
        try {
            parsed = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new InvalidConfigException(what + ": not valid YAML" + at(e.getLocation()) + complaint(e));
        } catch (IOException e) {
            throw new InvalidConfigException(what + ": cannot read the configuration (" + e.getClass().getSimpleName() + ")");
        }
        if (parsed == null || parsed.isMissingNode() || parsed.isNull()) {
            throw new InvalidConfigException(what + ": the configuration is empty");
        }
        if (!parsed.isObject()) {
            throw new InvalidConfigException(what + ": the configuration must be a mapping of keys, not " + kind(parsed));
        }
        ObjectNode tree = adjust.apply((ObjectNode) parsed);
        Map<String, Integer> lines = lines(yaml);
        List<String> problems = new ArrayList<>();
        List<JsonPointer> reported = new ArrayList<>();
        while (true) {
            try {
                T value = YAML.treeToValue(tree, type);
                if (problems.isEmpty()) {
                    return value;
                }
                break;
            } catch (JsonMappingException e) {
                JsonPointer path = pointer(e);
                // A parent that fails only because a broken child was taken out is not another problem.
                if (reported.stream().noneMatch(p -> isAncestor(path, p))) {
                    problems.add(describe(e, path, tree, lines));
                    reported.add(path);
                }
                if (path.matches() || problems.size() >= MAX_PROBLEMS || !remove(tree, path)) {
                    break;
                }
            } catch (JsonProcessingException | IllegalArgumentException e) {
                String own = ownMessage(e);
                problems.add("invalid configuration" + (own == null ? "" : ": " + own));
                break;
            }
        }
        throw new InvalidConfigException(problems.size() == 1 ? what + ": " + problems.get(0)
                : what + ": " + problems.size() + " problems:\n  " + String.join("\n  ", problems));
    }

    private static String describe(JsonMappingException e, JsonPointer path, JsonNode tree, Map<String, Integer> lines) {
        String where = "'" + dotted(path) + "'" + line(lines, path);
        if (e instanceof UnrecognizedPropertyException unknown && OneOfKeys.of(unknown.getReferringClass()) != null) {
            JsonPointer parent = path.head() == null ? JsonPointer.empty() : path.head();
            return "invalid value at '" + dotted(parent) + "'" + line(lines, parent) + ": write exactly one of "
                    + OneOfKeys.of(unknown.getReferringClass());
        }
        if (e instanceof InvalidTypeIdException typeId) {
            String oneOf = OneOfKeys.of(typeId.getBaseType().getRawClass());
            JsonNode found = tree.at(path);
            if (oneOf != null && !found.isMissingNode() && !found.isObject()) {
                return "invalid value at " + where + ": expected a mapping with exactly one of " + oneOf + ", found "
                        + kind(found);
            }
            return "invalid value at " + where + ": " + (oneOf != null ? "write exactly one of " + oneOf : "not a valid value here");
        }
        if (e instanceof UnrecognizedPropertyException unknown) {
            return "unknown key " + where + "; known keys here: " + unknown.getKnownPropertyIds().stream()
                    .map(Object::toString).sorted().collect(Collectors.joining(", "));
        }
        String reason = ownMessage(e);
        if (reason == null && e instanceof MismatchedInputException mismatch && mismatch.getTargetType() != null) {
            JsonNode found = tree.at(path);
            reason = "expected " + expected(mismatch.getTargetType()) + (found.isMissingNode() ? "" : ", found " + kind(found));
        }
        return "invalid value at " + where + ": " + (reason == null ? "not a valid value here" : reason);
    }

    /** The message of a validation of our own records (they name no credential); {@code null} for anything else. */
    private static String ownMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) root = root.getCause();
        if ((root instanceof IllegalArgumentException || root instanceof NullPointerException)
                && root.getStackTrace().length > 0 && root.getStackTrace()[0].getClassName().startsWith("io.reseal.")) {
            return root.getMessage();
        }
        return null;
    }

    private static String expected(Class<?> type) {
        if (type == String.class) return "a string";
        if (type == Boolean.class || type == boolean.class) return "true or false";
        if (Number.class.isAssignableFrom(type) || (type.isPrimitive() && type != char.class)) return "a number";
        if (type == Duration.class || TemporalAmount.class.isAssignableFrom(type)) return "an ISO-8601 duration such as PT5M";
        if (type.isEnum()) {
            return "one of " + Arrays.stream(type.getEnumConstants()).map(Object::toString).collect(Collectors.joining(", "));
        }
        if (type.isArray() || Collection.class.isAssignableFrom(type)) return "a list";
        return "a mapping (" + type.getSimpleName() + ")";
    }

    private static String kind(JsonNode node) {
        if (node.isTextual()) return "a string";
        if (node.isNumber()) return "a number";
        if (node.isBoolean()) return "true or false";
        if (node.isArray()) return "a list";
        if (node.isObject()) return "a mapping";
        if (node.isNull()) return "nothing (null)";
        return "another kind of value";
    }

    /** The parser's complaint without the echoed source line or any quoted text of the file. */
    private static String complaint(JsonProcessingException e) {
        String original = e.getOriginalMessage();
        if (original == null) {
            return "";
        }
        String first = original.lines().map(String::strip)
                .filter(line -> !line.isEmpty() && Character.isLowerCase(line.charAt(0)) && !line.startsWith("in "))
                .reduce((a, b) -> b).orElse("");
        String safe = first.replaceAll("'[^']*'|\"[^\"]*\"|`[^`]*`", "'...'");
        return safe.isEmpty() ? "" : ": " + safe;
    }

    /** Line of every key and value, by JSON pointer. */
    private static Map<String, Integer> lines(byte[] yaml) {
        Map<String, Integer> lines = new HashMap<>();
        try (JsonParser parser = YAML.createParser(yaml)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.END_OBJECT || token == JsonToken.END_ARRAY) {
                    continue;
                }
                String pointer = parser.getParsingContext().pathAsPointer().toString();
                int line = parser.currentTokenLocation().getLineNr();
                if (line > 0) {
                    lines.putIfAbsent(pointer, line);
                }
            }
        } catch (IOException e) {
            // already parsed once: cannot happen; without lines the messages still name the key path
        }
        return lines;
    }

    private static JsonPointer pointer(JsonMappingException e) {
        JsonPointer pointer = JsonPointer.empty();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                pointer = pointer.appendProperty(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                pointer = pointer.appendIndex(ref.getIndex());
            }
        }
        return pointer;
    }

    private static boolean isAncestor(JsonPointer candidate, JsonPointer of) {
        String a = candidate.toString();
        String b = of.toString();
        return b.equals(a) || b.startsWith(a + "/") || a.isEmpty();
    }

    /** Takes the node at {@code path} out of {@code tree}; false if there is none. */
    private static boolean remove(ObjectNode tree, JsonPointer path) {
        JsonNode parent = tree.at(path.head());
        String last = path.last().getMatchingProperty();
        if (parent instanceof ObjectNode object && object.has(last)) {
            object.remove(last);
            return true;
        }
        if (parent instanceof ArrayNode array && path.last().getMatchingIndex() >= 0
                && path.last().getMatchingIndex() < array.size()) {
            array.remove(path.last().getMatchingIndex());
            return true;
        }
        return false;
    }

    private static String dotted(JsonPointer pointer) {
        StringBuilder path = new StringBuilder();
        for (JsonPointer p = pointer; p != null && !p.matches(); p = p.tail()) {
            if (p.getMatchingIndex() >= 0 && !p.getMatchingProperty().isEmpty()
                    && p.getMatchingProperty().chars().allMatch(Character::isDigit)) {
                path.append('[').append(p.getMatchingIndex()).append(']');
            } else {
                if (path.length() > 0) path.append('.');
                path.append(p.getMatchingProperty());
            }
        }
        return path.length() == 0 ? "(top level)" : path.toString();
    }

    private static String line(Map<String, Integer> lines, JsonPointer path) {
        Integer line = lines.get(path.toString());
        return line == null ? "" : " (line " + line + ")";
    }

    private static String at(JsonLocation location) {
        if (location == null || location.getLineNr() < 1) {
            return "";
        }
        return " at line " + location.getLineNr() + (location.getColumnNr() > 0 ? ", column " + location.getColumnNr() : "");
    }
}
