package io.reseal.packager;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.packager.store.PackageStore;
import io.reseal.pipeline.event.EventType;
import io.reseal.pipeline.event.RotationEvent;
import io.reseal.pipeline.event.RotationSealed;
import io.reseal.pipeline.stage.PermanentStageException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PackagerStageTest {

    @TempDir
    Path keys;

    PackageStore unreachableStore;
    PackagerStage stage;

    @BeforeEach
    void stage() throws Exception {
        PackageSigner signer = PackageSigner.generate(keys);
        unreachableStore = new PackageStore(new PackagerConfig(URI.create("http://127.0.0.1:9"), null, null, "ak", "sk",
                null, null, null, keys.resolve(PackageSigner.PRIVATE_KEY_FILE)), Clock.systemUTC());
        stage = new PackagerStage(new PackageBuilder(signer), unreachableStore);
    }

    @AfterEach
    void close() throws Exception {
        unreachableStore.close();
    }

    @Test
    void isThePackagerStageConsumingSealedEvents() {
        assertThat(stage.stage()).isEqualTo("packager");
        assertThat(stage.consumes()).isEqualTo(EventType.SEALED);
    }

    @Test
    void recipientsAreTheRequestorThenEveryContactOnceInOrder() {
        assertThat(PackagerStage.recipients(SampleRotation.sealed()))
                .containsExactly("requestor@example.com", "ml-dev@example.com", "ml-prod@example.com");
    }

    @Test
    void unsafeInputIsAPermanentFailureBeforeAnythingIsStored() {
        RotationSealed sample = SampleRotation.sealed();
        RotationSealed unsafe = new RotationSealed(sample.rotationId(), sample.workflow(), sample.requestor(),
                sample.trigger(), sample.reason(), sample.requestedAt(),
                List.of(SampleRotation.environment("../../etc", "c", List.of())));

        assertThatThrownBy(() -> stage.handle(sealedEvent(unsafe)))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> {
                    assertThat(e.code()).isEqualTo("invalid-package-input");
                    assertThat(e.getMessage()).startsWith("environments[].name: '../../etc'");
                });
    }

    @Test
    void rotationIdAttributeMustMatchTheData() {
        RotationSealed sealed = SampleRotation.sealed();
        RotationEvent<RotationSealed> event = new RotationEvent<>("x", URI.create("/reseal/sealer-worker"),
                EventType.SEALED, sealed.workflow(), OffsetDateTime.parse("2026-11-29T04:00:05Z"), "other", sealed);

        assertThatThrownBy(() -> stage.handle(event))
                .isInstanceOfSatisfying(PermanentStageException.class,
                        e -> assertThat(e.code()).isEqualTo("invalid-package-input"));
    }

    static RotationEvent<RotationSealed> sealedEvent(RotationSealed sealed) {
        return RotationEvent.forRotation(sealed.rotationId(), EventType.SEALED, "/reseal/sealer-worker",
                sealed.workflow(), OffsetDateTime.parse("2026-11-29T04:00:05Z"), sealed);
    }
}
