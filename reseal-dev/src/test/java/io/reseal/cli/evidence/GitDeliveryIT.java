package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import io.reseal.cli.evidence.EvidenceStack.Mail;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationPackaged;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Git delivery through the whole pipeline (the stack of the evidence tests, workflow {@code credit-ml} delivering
 * to the stack's Git server): a rotation's e-mail says it is already in the repository at its commit; once the
 * branch is protected, the next rotation's push is refused, which is a failed record naming the repository and
 * the reason, and its archive and e-mail still go out.
 */
@Timeout(180)
class GitDeliveryIT {

    @TempDir
    static Path dir;
    static EvidenceStack stack;

    @BeforeAll
    static void start() {
        stack = EvidenceStack.start(dir, false, Set.of());
    }

    @AfterAll
    static void stop() {
        if (stack != null) stack.close();
    }

    @Test
    void aCommittedRotationIsNamedInItsMailAndARefusedOneStillMailsTheArchiveAndIsAFailedRecord() throws Exception {
        String committed = stack.rotate(EvidenceStack.CREDIT, List.of("dev"), EvidenceStack.CREDIT_REQUESTOR, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(90)).until(() -> stack.notified(committed));
        RotationPackaged first = packaged(committed);
        assertThat(first.git().commit()).isNotNull();
        assertThat(first.git().repository()).endsWith("/git/" + EvidenceStack.GIT_REPOSITORY + ".git");
        assertThat(textOf(committed)).contains("Already in your repository at " + first.git().commit(), first.downloadUrl()
                .substring(0, 30));
        assertThat(stack.failuresOf(committed)).isEmpty();

        stack.protectGitBranch();
        String refused = stack.rotate(EvidenceStack.CREDIT, List.of("dev"), EvidenceStack.CREDIT_REQUESTOR, Duration.ofSeconds(30));
        await().atMost(Duration.ofSeconds(90)).until(() -> stack.notified(refused));

        RotationPackaged second = packaged(refused);
        assertThat(second.git().commit()).isNull();
        assertThat(second.downloadUrl()).isNotBlank();
        List<JsonNode> failures = stack.failuresOf(refused);
        assertThat(failures).singleElement().satisfies(failure -> {
            assertThat(failure.path("stage").asText()).isEqualTo("packager");
            assertThat(failure.path("errorCode").asText()).isEqualTo("git-refused");
            assertThat(failure.path("message").asText()).contains(first.git().repository(), "refused", "protected branches")
                    .doesNotContain(stack.gitToken());
        });
        assertThat(textOf(refused)).contains("Not in your repository", "protected branches", "DOWNLOAD");
    }

    private static RotationPackaged packaged(String rotationId) {
        return stack.events(EventType.PACKAGED).stream().filter(e -> rotationId.equals(e.rotationId()))
                .map(RotationEvent::data).map(RotationPackaged.class::cast).findFirst().orElseThrow();
    }

    private static String textOf(String rotationId) {
        Mail mail = stack.mails().stream().filter(m -> m.header("Message-ID").contains(rotationId)).findFirst().orElseThrow();
        return String.join("\n", mail.decodedParts());
    }
}
