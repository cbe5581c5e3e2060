package io.reseal.packager.archive;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import java.io.IOException;
import java.util.List;
import java.util.stream.Collectors;

/** The one YAML mapper of the package: Kubernetes-style output (no document marker, quotes only where needed). */
final class PackageYaml {

    private static final ObjectMapper MAPPER = new ObjectMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .build());

    private PackageYaml() {
    }

    /** One document (maps keep their insertion order). */
    static String write(Object document) {
        try {
            return MAPPER.writeValueAsString(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write a generated document as YAML", e);
        }
    }

    /** Several documents separated by {@code ---}. */
    static String writeAll(List<?> documents) {
        return documents.stream().map(PackageYaml::write).collect(Collectors.joining("---\n", "---\n", ""));
    }

    /** Every document of {@code yaml}; {@link IllegalArgumentException} with the parser's reason if it is not YAML. */
    static List<JsonNode> readAll(String yaml) {
        try (MappingIterator<JsonNode> documents = MAPPER.readerFor(JsonNode.class).readValues(yaml)) {
            return documents.readAll();
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException(e.getOriginalMessage(), e);
        } catch (IOException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }
}
