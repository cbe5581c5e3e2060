package io.reseal.sealer.manifest;

import com.fasterxml.jackson.core.JsonFactoryBuilder;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.core.io.CharacterEscapes;
import com.fasterxml.jackson.core.io.SerializedString;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.UncheckedIOException;
import java.util.Locale;

/**
 * The two manifest shapes kubeseal writes, byte for byte for the objects Reseal produces.
 *
 * <ul>
 *   <li>{@link #YAML}: {@code kubeseal --format yaml}: the Kubernetes YAML serializer (go-yaml v2
 *       through {@code sigs.k8s.io/yaml}), so every map's keys in go-yaml order, two-space indent,
 *       {@code "true"} quoted, then an empty line.</li>
 *   <li>{@link #JSON}: kubeseal's default: Go's {@code json.MarshalIndent} with two spaces, struct
 *       fields in declaration order, map keys sorted, {@code <>&} escaped as Go does, then a newline.</li>
 * </ul>
 *
 * Thread-safe.
 */
public enum OutputFormat {
    YAML {
        @Override
        String render(ObjectNode object) {
            return write(Writers.YAML, sortedForGoYaml(object)) + "\n";
        }
    },
    JSON {
        @Override
        String render(ObjectNode object) {
            return write(Writers.JSON, object) + "\n";
        }
    };

    /** Parses {@code yaml} or {@code json} (any case), as given to {@code -o}. */
    public static OutputFormat of(String name) {
        return switch (name == null ? "" : name.trim().toLowerCase(Locale.ROOT)) {
            case "yaml", "yml" -> YAML;
            case "json" -> JSON;
            default -> throw new IllegalArgumentException("unknown output format '" + name + "': expected yaml or json");
        };
    }

    /** The manifest text of {@code object}, whose fields are in Go struct order and whose maps are sorted. */
    abstract String render(ObjectNode object);

    private static String write(ObjectWriter writer, JsonNode tree) {
        try {
            return writer.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot render manifest", e);
        }
    }

    private static ObjectNode sortedForGoYaml(ObjectNode object) {
        ObjectNode sorted = object.objectNode();
        for (String key : GoYamlKeyOrder.sorted(object::fieldNames)) {
            JsonNode value = object.get(key);
            sorted.set(key, value instanceof ObjectNode child ? sortedForGoYaml(child) : value);
        }
        return sorted;
    }

    /** Lazily built writers; an enum's constants cannot refer to its own static fields. */
    private static final class Writers {
        static final ObjectWriter YAML = new ObjectMapper(YAMLFactory.builder()
                .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
                .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
                .enable(YAMLGenerator.Feature.LITERAL_BLOCK_STYLE)
                .stringQuotingChecker(new GoYamlQuoting())
                .build()).writer();

        static final ObjectWriter JSON = new ObjectMapper(new JsonFactoryBuilder()
                .characterEscapes(new GoJsonEscapes())
                .build())
                .writer(new DefaultPrettyPrinter(Separators.createDefaultInstance()
                        .withObjectFieldValueSpacing(Separators.Spacing.AFTER)
                        .withObjectEmptySeparator(""))
                        .withObjectIndenter(new DefaultIndenter("  ", "\n")));
    }

    /** Go's {@code encoding/json} escaping: HTML-sensitive characters and line separators as {@code \}{@code u00xx}. */
    private static final class GoJsonEscapes extends CharacterEscapes {
        private static final long serialVersionUID = 1L;
        private final int[] ascii = standardAsciiEscapesForJSON();

        GoJsonEscapes() {
            for (int c = 0; c < 0x20; c++) {
                ascii[c] = CharacterEscapes.ESCAPE_CUSTOM;
            }
            ascii['\n'] = 'n';
            ascii['\r'] = 'r';
            ascii['\t'] = 't';
            ascii['\b'] = 'b';
            ascii['\f'] = 'f';
            ascii['<'] = CharacterEscapes.ESCAPE_CUSTOM;
            ascii['>'] = CharacterEscapes.ESCAPE_CUSTOM;
            ascii['&'] = CharacterEscapes.ESCAPE_CUSTOM;
        }

        @Override
        public int[] getEscapeCodesForAscii() {
            return ascii;
        }

        @Override
        public SerializableString getEscapeSequence(int ch) {
            return ch < 0x80 || ch == 0x2028 || ch == 0x2029
                    ? new SerializedString(String.format("\\u%04x", ch))
                    : null;
        }
    }
}
