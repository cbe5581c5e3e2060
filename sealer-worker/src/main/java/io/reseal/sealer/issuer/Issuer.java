package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import java.util.OptionalInt;

/**
 * The steps of rotating a credential at its source, after AWS Secrets Manager's create / test / finish.
 * Between {@link #create} and {@link #revokePrevious} both the current and the pending credential are valid
 * (where the strategy keeps two). Every step is idempotent, and resumable from the non-secret
 * {@link IssuedVersions} alone: the plaintext pending credential exists only in the sealer's memory, so a
 * {@code create} re-run after a crash re-issues the same pending version rather than making a second one.
 * Implementations are called from one thread at a time per issuer.
 */
public interface Issuer {

    /**
     * Step create: makes the pending credential while {@code current} stays valid.
     *
     * @param rotationId the rotation; the same on a re-run, so an issuer may name the pending credential after it
     * @param current the version consumers use now (the pending version of the last finished rotation), or
     *     {@code null} when there is none yet
     * @return the pending credential (the caller destroys it) and its versions
     */
    Pending create(String rotationId, String current) throws RetriableStageException, PermanentStageException;

    /** Step test: logs in with the pending credential. Throws {@code issuer-test-failed} when it does not work. */
    void test(Pending pending) throws RetriableStageException, PermanentStageException;

    /** After a failed test: makes the pending credential unusable again; the current one is left as it is. */
    void discard(IssuedVersions versions) throws RetriableStageException, PermanentStageException;

    /** Step finish: revokes {@code versions.current()}, the credential the rotation replaced. */
    void revokePrevious(IssuedVersions versions) throws RetriableStageException, PermanentStageException;

    /**
     * How many connections use {@code versions.current()}, the credential finish would revoke, where the issuer can
     * tell; empty when it cannot (the default). A count above zero holds back a finish that adoption asks for
     * until the deadline. Read-only, no credential in what it returns or throws.
     */
    default OptionalInt inUse(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        return OptionalInt.empty();
    }

    /** A pending credential and its versions. */
    record Pending(Credential credential, IssuedVersions versions) {}
}
