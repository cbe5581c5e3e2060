package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.reseal.cli.config.ConfigLoader;
import io.reseal.cli.config.ResealConfig;
import io.reseal.pipeline.ops.OpsServer;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** docs/configuration.md against the configuration records and the variables the code reads. */
class ConfigurationDocsTest {

    private static final Pattern ROW = Pattern.compile("(?m)^\\| `([^`]+)` \\|(?: `([^`]+)` \\|)?");

    private final String docs = read();

    @Test
    void theKeyTableListsEveryKeyOfTheConfigurationRecordsAndNothingElse() {
        Set<String> keys = new TreeSet<>();
        collect(ResealConfig.class, "", keys, new java.util.HashSet<>());
        assertThat(keys).contains("kafka.bootstrapServers", "bundles[].keys.<name>.generate.kind",
                "workflows[].schedule.timeZone", "api.tokens[].sha256",
                "bundles[].keys.<name>.issued.issuer");
        assertThat(documentedKeys()).containsExactlyInAnyOrderElementsOf(keys);
    }

    @Test
    void everyVariableTheServicesReadIsDocumentedWithTheKeyItOverrides() {
        String variables = docs.substring(docs.indexOf("## Environment variables"));
        Map<String, String> rows = new java.util.HashMap<>();
        Matcher m = ROW.matcher(variables);
        while (m.find()) rows.put(m.group(1), m.group(2));
        ConfigLoader.OVERRIDES.forEach((variable, path) ->
                assertThat(rows).as(variable).containsEntry(variable, String.join(".", path)));
        assertThat(rows).containsKeys(ServiceCommand.CONFIG_VARIABLE, OpsServer.PORT_VARIABLE, "RESEAL_API_TOKEN",
                "RESEAL_LOG_FORMAT");
    }

    private Set<String> documentedKeys() {
        String table = docs.substring(docs.indexOf("## Keys"), docs.indexOf("## Environment variables"));
        Set<String> keys = new TreeSet<>();
        Matcher m = ROW.matcher(table);
        while (m.find()) keys.add(m.group(1));
        return keys;
    }

    /**
     * Every key path under {@code type}: sections, their keys, list items ({@code []}) and map values ({@code <name>}).
     * A one-of (sealed) type lists the keys of each of its kinds where it first appears (a value source: under
     * {@code bundles[].keys.<name>}); met again (an issuer's admin login), it is one key that refers to those.
     */
    private static void collect(Class<?> type, String prefix, Set<String> keys, Set<Class<?>> expanded) {
        if (type.isSealed()) {
            if (!expanded.add(type)) return;
            for (Class<?> kind : type.getPermittedSubclasses()) collect(kind, prefix, keys, expanded);
            return;
        }
        for (RecordComponent component : type.getRecordComponents()) {
            JsonProperty property = component.getAccessor().getAnnotation(JsonProperty.class); // not a record-component target
            String key = prefix + (property != null ? property.value() : component.getName());
            keys.add(key);
            Type generic = component.getGenericType();
            if (component.getType().isRecord() || component.getType().isSealed()) {
                collect(component.getType(), key + ".", keys, expanded);
            } else if (generic instanceof ParameterizedType parameterized) {
                Type[] arguments = parameterized.getActualTypeArguments();
                Type element = arguments[arguments.length - 1];
                if (element instanceof Class<?> elementClass && (elementClass.isRecord() || elementClass.isSealed())) {
                    collect(elementClass, key + (List.class.isAssignableFrom(component.getType()) ? "[]." : ".<name>."), keys,
                            expanded);
                }
            }
        }
    }

    private static String read() {
        try {
            return Files.readString(ComposeTest.ROOT.resolve("docs/configuration.md"));
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
    }
}
