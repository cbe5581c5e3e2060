package io.reseal.pipeline.stage;

import io.reseal.pipeline.event.EventType;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import io.reseal.pipeline.kafka.KafkaClients;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pipeline's topics that do not exist yet; the key topics ({@link EventType#isKey()}, a few records per
 * cluster and key) are kept forever ({@code retention.ms=-1}), as they are what the sealer may seal with. Idempotent;
 * safe to run from every service at start-up.
 */
public final class TopicBootstrap {

    private static final Logger LOG = LoggerFactory.getLogger(TopicBootstrap.class);

    private TopicBootstrap() {}

    public static void ensure(KafkaClients clients, Topics topics, int partitions, short replicationFactor) {
        try (Admin admin = clients.admin(Map.of(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 60_000))) {
            Set<String> existing = admin.listTopics().names().get(60, TimeUnit.SECONDS);
            Set<String> keyTopics = topics.all().entrySet().stream().filter(e -> e.getKey().isKey())
                    .map(Map.Entry::getValue).collect(java.util.stream.Collectors.toSet());
            String minInsync = replicationFactor > 1 ? "2" : "1";
            List<NewTopic> missing = topics.all().values().stream()
                    .distinct()
                    .filter(name -> !existing.contains(name))
                    .map(name -> new NewTopic(name, partitions, replicationFactor).configs(keyTopics.contains(name)
                            ? Map.of("min.insync.replicas", minInsync, "retention.ms", "-1")
                            : Map.of("min.insync.replicas", minInsync)))
                    .toList();
            if (missing.isEmpty()) {
                return;
            }
            for (var entry : admin.createTopics(missing).values().entrySet()) {
                try {
                    entry.getValue().get(60, TimeUnit.SECONDS);
                    LOG.info("created topic {} ({} partitions)", entry.getKey(), partitions);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create topics on " + clients.bootstrapServers() + ": "
                    + (e.getCause() != null ? e.getCause().getMessage() : e.getMessage()), e);
        }
    }
}
