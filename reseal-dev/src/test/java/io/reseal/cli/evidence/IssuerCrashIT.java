package io.reseal.cli.evidence;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.reseal.cli.evidence.EvidenceStack.ExtraConfig;
import io.reseal.cli.evidence.EvidenceStack.Service;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationFinished;
import io.reseal.pipeline.event.RotationSealed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Issue 12, "done when": a sealer killed with SIGKILL between an issuer's steps ends with exactly one valid
 * pending/current pair, and loses no rotation. The sealer runs as its own JVM from the production jar; the issuer
 * is real (PostgreSQL; a Kafka broker of its own with a SASL/SCRAM listener, in the test JVM), a stand-in following
 * MinIO's protocol ({@code minio}, see {@link MinioCrashSubject}) or a user's program ({@code command}). Three rotations and two finishes per issuer, the
 * sealer killed once at each of three exact points, each held there by the issuer (see {@link CrashSubject}), not
 * by timing, and then started again:
 * <ol>
 *   <li>after the issuer's create and test, before sealing: the bundle's last key comes from a second issuer, a
 *       {@link ScriptIssuer} "gate" whose create step holds the sealer;</li>
 *   <li>in finish, the previous credential revoked at the issuer but the rotation not recorded as finished (for
 *       {@code kafka-scram}, whose broker offers no point to hold between revoking and answering, the revocation is
 *       answered too and the sealer is held in the gate's finish, which it runs next);</li>
 *   <li>after create, in the test step.</li>
 * </ol>
 * After each, the rotation is sealed, packaged and notified (or finished) exactly once; the issuer accepts exactly
 * the delivered credential (unsealed from the SealedSecret with the cluster's key, and logged in with) and, until
 * finish, the previous one; the pending credential the killed sealer made is not kept beside it; and at the end no
 * delivered secret or admin password is in the sealer's logs.
 */
class IssuerCrashIT {

    private static final String WORKFLOW = "crash-ml";
    private static final String REQUESTOR = "crash-team@example.com";
    private static final Duration PATIENCE = Duration.ofSeconds(120);

    /** The issuers under test; one more is one more constant. */
    enum Subject {
        POSTGRES(dir -> new PostgresCrashSubject()),
        COMMAND(dir -> new ScriptIssuer("crash-command", dir)),
        KAFKA_SCRAM(KafkaScramCrashSubject::new),
        MINIO(MinioCrashSubject::new);

        private final Function<Path, CrashSubject> factory;

        Subject(Function<Path, CrashSubject> factory) {
            this.factory = factory;
        }
    }

    @TempDir
    Path dir;

    private EvidenceStack stack;
    private CrashSubject subject;
    private final Set<String> secrets = new LinkedHashSet<>();
    private final List<String> rotations = new ArrayList<>();

    /** A rotation as delivered: its id, the subject's versions on the sealed event, and the unsealed bundle. */
    private record Delivered(String rotationId, IssuedVersions versions, Map<String, String> data) {

        String version() {
            return versions.pending();
        }
    }

    @ParameterizedTest(name = "{0}")
    @EnumSource(Subject.class)
    @Timeout(value = 6, unit = java.util.concurrent.TimeUnit.MINUTES)
    void a_sealer_killed_between_issuer_steps_ends_with_one_current_and_one_pending_credential(Subject kind) throws Exception {
        CrashSubject issuer = kind.factory.apply(dir.resolve("issuer"));
        subject = issuer;
        ScriptIssuer gate = new ScriptIssuer("crash-gate", dir.resolve("gate"));
        subject.useGate(gate);
        try (issuer; EvidenceStack started = EvidenceStack.start(dir, false, Set.of(Service.SEALER), s -> config(s, gate))) {
            stack = started;
            subject.prepare(stack);

            Delivered first = rotate(null, null);
            Delivered second = rotate(gate.holdCreate(), first);
            finish(second, first, subject.holdFinish());
            Delivered third = rotate(subject.holdTest(), second);
            finish(third, second, null);

            expectNoPlaintextInTheSealersLogs();
        }
    }

    private ExtraConfig config(EvidenceStack stack, ScriptIssuer gate) {
        StringBuilder keys = new StringBuilder();
        for (CrashSubject issuer : List.of(subject, gate)) {
            issuer.keys().forEach((key, field) -> keys.append("    ").append(key).append(": {issued: {issuer: ")
                    .append(issuer.issuer()).append(", field: ").append(field).append("}}\n"));
        }
        return new ExtraConfig(subject.issuerEntry(stack) + gate.issuerEntry(stack),
                "- name: crash\n  keys:\n" + keys,
                "- name: " + WORKFLOW + "\n  requestor: " + REQUESTOR + "\n  bundles: [crash]\n  environments:\n    dev: {}\n");
    }

    /**
     * Requests a rotation; with {@code hold}, kills the sealer once it is held, lets go and starts it again. Then
     * checks the rotation was delivered once, and what the issuer accepts.
     */
    private Delivered rotate(CrashSubject.Hold hold, Delivered previous) throws Exception {
        String id;
        Map<String, String> whenKilled = null;
        if (hold == null) {
            id = stack.rotate(WORKFLOW, List.of("dev"), REQUESTOR, PATIENCE);
        } else {
            try (hold) {
                id = stack.rotate(WORKFLOW, List.of("dev"), REQUESTOR, PATIENCE);
                hold.awaitHeld();
                whenKilled = subject.accepted();
                assertThat(events(EventType.SEALED, id)).as("sealed while the sealer is held").isEmpty();
                stack.killProcess(Service.SEALER);
            }
            stack.startProcess(Service.SEALER);
        }
        rotations.add(id);
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> stack.notified(id));
        awaitNothingTwice(id, EventType.SEALED, EventType.PACKAGED, EventType.NOTIFIED);
        Delivered delivered = delivered(id);

        for (EventType type : List.of(EventType.SEALED, EventType.PACKAGED, EventType.NOTIFIED)) {
            assertThat(events(type, id)).as(type + " events of " + id).hasSize(1);
        }
        assertThat(stack.failuresOf(id)).as("failures of " + id).isEmpty();
        assertThat(stack.mails().stream().filter(m -> id.equals(m.header("X-Reseal-Rotation-Id"))))
                .as("mails of " + id).hasSize(1);

        String current = previous == null ? null : previous.version();
        assertThat(delivered.versions().current()).as("the version the rotation replaces").isEqualTo(current);
        assertThat(delivered.version()).as("the delivered version, beside the current one").isNotEqualTo(current);
        Map<String, String> accepted = subject.accepted();
        Set<String> pair = previous == null ? Set.of(delivered.version()) : Set.of(current, delivered.version());
        assertThat(accepted.keySet()).as("credentials the issuer accepts after " + id).isEqualTo(pair);
        assertThat(subject.logsIn(delivered.data())).as("the delivered credential logs in").isTrue();
        if (previous != null) {
            assertThat(subject.logsIn(previous.data())).as("the previous credential logs in until finish").isTrue();
        }
        if (whenKilled != null) {
            assertThat(whenKilled.keySet()).as("credentials at the issuer when the sealer was killed").isEqualTo(pair);
            assertThat(accepted.get(delivered.version())).as("the pending credential the killed sealer made (and lost) "
                    + "was replaced, not kept beside the delivered one").isNotEqualTo(whenKilled.get(delivered.version()));
        }
        return delivered;
    }

    /**
     * Finishes {@code rotation} through the API; with {@code hold}, kills the sealer once it is held, lets go and
     * starts it again. Then only the delivered credential is accepted.
     */
    private void finish(Delivered rotation, Delivered previous, CrashSubject.Hold hold) throws Exception {
        String id = rotation.rotationId();
        Map<String, String> before = subject.accepted();
        if (hold == null) {
            await().atMost(Duration.ofSeconds(30)).until(() -> stack.finish(id) == 202);
        } else {
            try (hold) {
                await().atMost(Duration.ofSeconds(30)).until(() -> stack.finish(id) == 202);
                hold.awaitHeld();
                assertThat(events(EventType.FINISHED, id)).as("finished while the sealer is held").isEmpty();
                stack.killProcess(Service.SEALER);
            }
            assertThat(subject.accepted().keySet()).as("credentials at the issuer once the killed sealer's revocation is "
                    + "done, before a sealer runs again").containsExactly(rotation.version());
            stack.startProcess(Service.SEALER);
        }
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(250)).until(() -> !events(EventType.FINISHED, id).isEmpty());
        awaitNothingTwice(id, EventType.FINISHED);

        List<RotationEvent<?>> finished = events(EventType.FINISHED, id);
        assertThat(finished).as("finished events of " + id).hasSize(1);
        assertThat(finished.get(0).dataAs(RotationFinished.class).issuers())
                .filteredOn(r -> r.issuer().equals(subject.issuer()))
                .singleElement()
                .satisfies(r -> {
                    assertThat(r.revoked()).isEqualTo(previous.version());
                    assertThat(r.current()).isEqualTo(rotation.version());
                });
        assertThat(stack.failuresOf(id)).as("failures of " + id).isEmpty();
        Map<String, String> accepted = subject.accepted();
        assertThat(accepted.keySet()).as("credentials the issuer accepts after finish").containsExactly(rotation.version());
        assertThat(accepted.get(rotation.version())).as("the delivered credential, untouched by finish")
                .isEqualTo(before.get(rotation.version()));
        assertThat(subject.logsIn(rotation.data())).as("the delivered credential logs in after finish").isTrue();
        assertThat(subject.logsIn(previous.data())).as("the previous credential after finish").isFalse();
    }

    private Delivered delivered(String id) {
        RotationSealed sealed = events(EventType.SEALED, id).get(0).dataAs(RotationSealed.class);
        IssuedVersions versions = sealed.issuers().stream().filter(v -> v.issuer().equals(subject.issuer()))
                .findFirst().orElseThrow(() -> new AssertionError("no versions of " + subject.issuer() + " on " + id));
        assertThat(sealed.environments()).as("environments of " + id).hasSize(1);
        assertThat(sealed.environments().get(0).secrets()).as("SealedSecrets of " + id).hasSize(1);
        Map<String, String> data = stack.unsealed(sealed.environments().get(0).secrets().get(0));
        Set<String> publicKeys = subject.keys().entrySet().stream().filter(e -> !subject.secret(e.getValue()))
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        data.forEach((key, value) -> {
            if (!publicKeys.contains(key)) secrets.add(value);
        });
        return new Delivered(id, versions, data);
    }

    /** Waits until each of {@code types} has exactly one event of the rotation, and still has 3 s later. */
    private void awaitNothingTwice(String rotationId, EventType... types) {
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                .until(() -> java.util.Arrays.stream(types).allMatch(type -> events(type, rotationId).size() == 1));
    }

    private List<RotationEvent<?>> events(EventType type, String rotationId) {
        return stack.events(type).stream().filter(e -> rotationId.equals(e.rotationId())).toList();
    }

    /** The sealer's console and the log its processes share with this JVM, and the PostgreSQL server's log. */
    private void expectNoPlaintextInTheSealersLogs() throws Exception {
        Set<String> values = new LinkedHashSet<>(secrets);
        // the postgres subject shares the admin login of the stack's own PostgreSQL issuer
        Set<String> admins = new LinkedHashSet<>(stack.issuerAdminPasswords());
        assertThat(admins).as("admin secrets: the stack's PostgreSQL issuer's, and the subject's if it has one of its own")
                .hasSize(subject instanceof KafkaScramCrashSubject || subject instanceof MinioCrashSubject ? 2 : 1);
        values.addAll(admins);
        assertThat(values).as("delivered secrets and admin passwords").hasSizeGreaterThanOrEqualTo(3 * 2 + admins.size());
        LeakScanner scanner = new LeakScanner(values);
        Path log = Path.of(System.getProperty("reseal.test.log", "target/test-logs/reseal-test.log"));
        String text = Files.readString(log, StandardCharsets.UTF_8) + Files.readString(stack.consoleOf(Service.SEALER));
        for (String rotation : rotations) {
            assertThat(text).as("the sealer's log").contains("sealer: rotation " + rotation);
        }
        List<String> hits = new ArrayList<>(scanner.hits(log.toString(), Files.readAllBytes(log)));
        hits.addAll(scanner.hits(stack.consoleOf(Service.SEALER).toString(), Files.readAllBytes(stack.consoleOf(Service.SEALER))));
        hits.addAll(scanner.hits("PostgreSQL server log", Files.readAllBytes(stack.postgres().serverLog())));
        assertThat(hits).isEmpty();
    }
}
