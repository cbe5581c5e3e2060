package io.reseal.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * The Kafka ACLs Reseal ships, read as Kafka's own {@link AclBinding}s (one per operation, allow, any host): the
 * Strimzi {@code KafkaUser} resources of {@code deploy/strimzi/kafka-users.yaml} and the {@code kafka-acls.sh}
 * commands of {@code deploy/kafka/acls.sh}. Stateless.
 */
final class ShippedKafkaAcls {

    static final Path KAFKA_USERS = ComposeTest.ROOT.resolve("deploy/strimzi/kafka-users.yaml");
    static final Path ACL_SCRIPT = ComposeTest.ROOT.resolve("deploy/kafka/acls.sh");

    private ShippedKafkaAcls() {}

    /** The ACLs of every {@code KafkaUser}; principal {@code User:<metadata.name>}. */
    static Set<AclBinding> strimzi() throws IOException {
        Set<AclBinding> bindings = new HashSet<>();
        try (MappingIterator<JsonNode> documents = new YAMLMapper().readerFor(JsonNode.class).readValues(KAFKA_USERS.toFile())) {
            while (documents.hasNext()) {
                JsonNode user = documents.next();
                if (!user.path("kind").asText().equals("KafkaUser")) continue;
                String principal = "User:" + user.path("metadata").path("name").asText();
                for (JsonNode acl : user.path("spec").path("authorization").path("acls")) {
                    JsonNode resource = acl.path("resource");
                    ResourcePattern pattern = new ResourcePattern(resourceType(resource.path("type").asText()),
                            resource.path("name").asText(), patternType(resource.path("patternType").asText("literal")));
                    for (JsonNode operation : acl.path("operations")) {
                        bindings.add(binding(pattern, principal, operation.asText()));
                    }
                }
            }
        }
        return bindings;
    }

    /** The ACLs the {@code acl ...} lines of the script add. */
    static Set<AclBinding> script() throws IOException {
        Set<AclBinding> bindings = new HashSet<>();
        for (String line : Files.readAllLines(ACL_SCRIPT)) {
            if (!line.startsWith("acl ")) continue;
            String[] words = line.strip().split("\\s+");
            String principal = null;
            List<String> operations = new ArrayList<>();
            ResourceType type = null;
            String name = null;
            PatternType patternType = PatternType.LITERAL;
            for (int i = 1; i < words.length; i += 2) {
                String value = words[i + 1];
                switch (words[i]) {
                    case "--allow-principal" -> principal = value;
                    case "--operation" -> operations.add(value);
                    case "--topic" -> { type = ResourceType.TOPIC; name = value; }
                    case "--group" -> { type = ResourceType.GROUP; name = value; }
                    case "--transactional-id" -> { type = ResourceType.TRANSACTIONAL_ID; name = value; }
                    case "--resource-pattern-type" -> patternType = patternType(value);
                    default -> throw new IllegalArgumentException(ACL_SCRIPT + ": unexpected option " + words[i] + " in: " + line);
                }
            }
            ResourcePattern pattern = new ResourcePattern(type, name, patternType);
            for (String operation : operations) {
                bindings.add(binding(pattern, principal, operation));
            }
        }
        return bindings;
    }

    private static AclBinding binding(ResourcePattern pattern, String principal, String operation) {
        return new AclBinding(pattern, new AccessControlEntry(principal, "*",
                AclOperation.valueOf(operation.toUpperCase(Locale.ROOT)), AclPermissionType.ALLOW));
    }

    private static ResourceType resourceType(String strimziType) {
        return switch (strimziType) {
            case "topic" -> ResourceType.TOPIC;
            case "group" -> ResourceType.GROUP;
            case "transactionalId" -> ResourceType.TRANSACTIONAL_ID;
            case "cluster" -> ResourceType.CLUSTER;
            default -> throw new IllegalArgumentException(KAFKA_USERS + ": unknown resource type " + strimziType);
        };
    }

    private static PatternType patternType(String name) {
        return switch (name) {
            case "literal" -> PatternType.LITERAL;
            case "prefix", "prefixed" -> PatternType.PREFIXED;
            default -> throw new IllegalArgumentException("unknown pattern type " + name);
        };
    }
}
