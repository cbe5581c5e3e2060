package io.reseal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.stage.Topics;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.Test;

/**
 * The shipped Kafka ACLs (Strimzi {@code KafkaUser}s and the {@code kafka-acls.sh} script) are one principal per
 * service with exactly the topics, group and transactional ids that service uses, the two files agree, and the
 * Strimzi overlay logs each Deployment in as its own user. {@code KafkaAclsIT} shows these ACLs are enough.
 */
class KafkaAclsTest {

    private static final Topics TOPICS = Topics.defaults();

    /**
     * What the code does with Kafka, per stage: {@code StageService.start(kafka, <stage>, <produces>)} in each worker,
     * the handler's {@code consumes()}; consumer group {@code reseal-<stage>}, transactional ids {@code reseal-<stage>-*};
     * run under the principal of its service (the sealer also runs the finisher of issued credentials).
     */
    private record Stage(String service, String name, EventType consumes, EventType produces) {}

    private static final List<Stage> STAGES = List.of(
            new Stage("sealer", "sealer", EventType.REQUESTED, EventType.SEALED),
            new Stage("sealer", "finisher", EventType.FINISHING, EventType.FINISHED),
            new Stage("packager", "packager", EventType.SEALED, EventType.PACKAGED),
            new Stage("notifier", "notifier", EventType.PACKAGED, EventType.NOTIFIED),
            new Stage("packager", "relinker", EventType.RELINK_REQUESTED, EventType.RELINKED),
            new Stage("notifier", "relink-notifier", EventType.RELINKED, EventType.RELINK_NOTIFIED));

    @Test
    void strimziAndThePlainKafkaScriptGrantTheSame() throws Exception {
        assertThat(ShippedKafkaAcls.script()).containsExactlyInAnyOrderElementsOf(ShippedKafkaAcls.strimzi());
    }

    @Test
    void eachServiceMayUseExactlyTheTopicsGroupAndTransactionsItUses() throws Exception {
        assertThat(ShippedKafkaAcls.strimzi()).containsExactlyInAnyOrderElementsOf(expected());
    }

    @Test
    void onlyTheSealerMayWriteSealedAndNoPrincipalMayAdministerTheCluster() throws Exception {
        Set<AclBinding> acls = ShippedKafkaAcls.strimzi();
        assertThat(acls).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.SEALED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-sealer");
        assertThat(acls).allSatisfy(acl -> {
            assertThat(acl.entry().operation()).isIn(AclOperation.READ, AclOperation.WRITE, AclOperation.DESCRIBE);
            assertThat(acl.pattern().resourceType()).isNotEqualTo(ResourceType.CLUSTER);
            assertThat(acl.pattern().name()).isNotEqualTo("*");
            assertThat(acl.entry().permissionType()).isEqualTo(AclPermissionType.ALLOW);
        });
    }

    @Test
    void onlyTheAdoptionWatcherMayWriteTheAdoptedTopicThatFinishOnAdoptionTrusts() throws Exception {
        assertThat(ShippedKafkaAcls.strimzi()).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.ADOPTED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-adoption");
        assertThat(ShippedKafkaAcls.strimzi()).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.ADOPTED))
                        && acl.entry().principal().equals("User:reseal-sealer"))
                .extracting(acl -> acl.entry().operation()).containsExactly(AclOperation.READ);
    }

    @Test
    void onlyTheSealerAnnouncesKeysAndOnlyTheProducerApprovesThem() throws Exception {
        Set<AclBinding> acls = ShippedKafkaAcls.strimzi();
        assertThat(acls).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.KEY_CHANGED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-sealer");
        assertThat(acls).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.KEY_APPROVED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-producer");
    }

    @Test
    void onlyTheProducerAsksForRelinksAndOnlyThePackagerWritesTheLinksTheNotifierMails() throws Exception {
        Set<AclBinding> acls = ShippedKafkaAcls.strimzi();
        assertThat(acls).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.RELINK_REQUESTED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-producer");
        assertThat(acls).filteredOn(acl -> acl.pattern().name().equals(TOPICS.of(EventType.RELINKED))
                        && acl.entry().operation() == AclOperation.WRITE)
                .extracting(acl -> acl.entry().principal()).containsExactly("User:reseal-packager");
    }

    @Test
    void theStrimziOverlayLogsEachDeploymentInAsItsOwnUser() throws Exception {
        JsonNode kustomization = new YAMLMapper().readTree(ComposeTest.ROOT.resolve("deploy/strimzi/kustomization.yaml").toFile());
        Map<String, Map<String, JsonNode>> envByDeployment = new HashMap<>();
        for (JsonNode patch : kustomization.path("patches")) {
            Map<String, JsonNode> env = envByDeployment.computeIfAbsent(patch.path("target").path("name").asText(), n -> new HashMap<>());
            for (JsonNode operation : new YAMLMapper().readTree(patch.path("patch").asText())) {
                if (operation.path("path").asText().endsWith("/env/-")) {
                    env.put(operation.path("value").path("name").asText(), operation.path("value"));
                }
            }
        }
        assertThat(envByDeployment.keySet()).containsExactlyInAnyOrder(
                "reseal-producer", "reseal-sealer", "reseal-packager", "reseal-notifier", "reseal-adoption");
        Set<String> users = new HashSet<>();
        ShippedKafkaAcls.strimzi().forEach(acl -> users.add(acl.entry().principal().substring("User:".length())));
        envByDeployment.forEach((deployment, env) -> {
            assertThat(env.get("KAFKA_SECURITY_PROTOCOL").path("value").asText()).as(deployment).isEqualTo("SASL_SSL");
            assertThat(env.get("KAFKA_SASL_USERNAME").path("value").asText()).as(deployment).isEqualTo(deployment);
            JsonNode password = env.get("KAFKA_SASL_PASSWORD");
            assertThat(password.has("value")).as(deployment + " password must come from a Secret").isFalse();
            assertThat(password.path("valueFrom").path("secretKeyRef").path("name").asText()).as(deployment).isEqualTo(deployment);
            assertThat(users).contains(deployment);
        });
    }

    private static Set<AclBinding> expected() {
        Set<AclBinding> acls = new HashSet<>();
        // rotation-producer: writes requests and finish requests, reads its schedule history (requested) and every
        // topic for the status view
        grant(acls, "producer", EventType.REQUESTED, AclOperation.READ, AclOperation.WRITE);
        grant(acls, "producer", EventType.FINISHING, AclOperation.READ, AclOperation.WRITE);
        grant(acls, "producer", EventType.KEY_APPROVED, AclOperation.WRITE); // approve-key
        grant(acls, "producer", EventType.RELINK_REQUESTED, AclOperation.READ, AclOperation.WRITE); // relink
        for (EventType type : EnumSet.complementOf(EnumSet.of(EventType.REQUESTED, EventType.FINISHING,
                EventType.RELINK_REQUESTED))) {
            grant(acls, "producer", type, AclOperation.READ);
        }
        Map<String, Set<String>> usedTopics = new HashMap<>();
        for (Stage stage : STAGES) {
            grant(acls, stage.service(), stage.consumes(), AclOperation.READ);
            grant(acls, stage.service(), stage.produces(), AclOperation.READ, AclOperation.WRITE); // output + its ledger
            grant(acls, stage.service(), EventType.FAILED, AclOperation.WRITE);
            usedTopics.computeIfAbsent(stage.service(), s -> new HashSet<>()).addAll(List.of(
                    TOPICS.of(stage.consumes()), TOPICS.of(stage.produces()), TOPICS.of(EventType.FAILED)));
            acls.add(binding(stage.service(), new ResourcePattern(ResourceType.GROUP, "reseal-" + stage.name(),
                    PatternType.LITERAL), AclOperation.READ));
            acls.add(binding(stage.service(), new ResourcePattern(ResourceType.TRANSACTIONAL_ID, "reseal-" + stage.name() + "-",
                    PatternType.PREFIXED), AclOperation.WRITE));
        }
        // the sealer's own requests: key-renewal rotations, and the finishes revokePrevious asks for
        grant(acls, "sealer", EventType.REQUESTED, AclOperation.WRITE);
        grant(acls, "sealer", EventType.FINISHING, AclOperation.WRITE);
        // the sealer's finish on adoption reads what the adoption watcher reported (and may not write it)
        grant(acls, "sealer", EventType.ADOPTED, AclOperation.READ);
        usedTopics.get("sealer").add(TOPICS.of(EventType.ADOPTED));
        // the sealer announces URL certificates (first use, held) and reads them back with the approvals
        grant(acls, "sealer", EventType.KEY_CHANGED, AclOperation.READ, AclOperation.WRITE);
        grant(acls, "sealer", EventType.KEY_APPROVED, AclOperation.READ);
        usedTopics.get("sealer").addAll(List.of(TOPICS.of(EventType.KEY_CHANGED), TOPICS.of(EventType.KEY_APPROVED)));
        // TopicBootstrap lists every pipeline topic at start-up
        usedTopics.forEach((service, used) -> TOPICS.all().values().stream().filter(topic -> !used.contains(topic))
                .forEach(topic -> acls.add(binding(service, new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                        AclOperation.DESCRIBE))));
        // the adoption watcher: reads from the start without a group, writes the adoption events
        grant(acls, "adoption", EventType.SEALED, AclOperation.READ);
        grant(acls, "adoption", EventType.PACKAGED, AclOperation.READ); // the link's expiry, for the reminder
        grant(acls, "adoption", EventType.NOTIFIED, AclOperation.READ);
        grant(acls, "adoption", EventType.ADOPTED, AclOperation.READ, AclOperation.WRITE);
        return acls;
    }

    private static void grant(Set<AclBinding> acls, String service, EventType type, AclOperation... operations) {
        for (AclOperation operation : operations) {
            acls.add(binding(service, new ResourcePattern(ResourceType.TOPIC, TOPICS.of(type), PatternType.LITERAL), operation));
        }
    }

    private static AclBinding binding(String service, ResourcePattern pattern, AclOperation operation) {
        return new AclBinding(pattern, new AccessControlEntry("User:reseal-" + service, "*", operation, AclPermissionType.ALLOW));
    }
}
