package io.reseal.cli.evidence;

import java.io.IOException;
import java.util.Map;

/**
 * One issuer under {@link IssuerCrashIT}: its configuration, a way to hold the sealer inside two of its steps (so
 * the test kills the sealer at an exact point, not at a random moment), and a probe that asks the issuer itself
 * which credentials it accepts now. Adding an issuer to the crash test means implementing this once.
 */
interface CrashSubject extends AutoCloseable {

    /** The issuer's name in the configuration. */
    String issuer();

    /** Its entry of the {@code issuers:} list (a YAML list item, {@code "- name: ..."}), given the running stack. */
    String issuerEntry(EvidenceStack stack);

    /** The bundle keys it fills, key to field (for example {@code CRASH_DB_PASSWORD} to {@code password}). */
    Map<String, String> keys();

    /** Whether a field's value is a secret (a login name is not: it travels on events as the version). */
    default boolean secret(String field) {
        return !field.equals("username");
    }

    /**
     * The gate issuer of the same bundle (its keys come after this issuer's, so the sealer runs its steps after this
     * issuer's), for a subject that has no exact point of its own to hold a step in.
     */
    default void useGate(ScriptIssuer gate) {
        // most subjects hold the sealer themselves
    }

    /** Set-up at the issuer once the stack runs, before the first rotation. */
    void prepare(EvidenceStack stack) throws Exception;

    /**
     * Holds the sealer in the next test step of this issuer: the pending credential exists at the issuer, the
     * sealer has not seen it tested. Returns once armed.
     */
    Hold holdTest() throws Exception;

    /**
     * Holds the sealer in the next finish step of this issuer, its revocation of the previous credential under way
     * or done at the issuer but not answered. Returns once armed.
     */
    Hold holdFinish() throws Exception;

    /**
     * Every credential of this issuer that would log in now, by version (the non-secret identifier on the events),
     * each with a fingerprint that changes whenever the credential does and tells nothing of its secret.
     */
    Map<String, String> accepted() throws Exception;

    /** Whether the delivered credential (an unsealed bundle's data, keyed as {@link #keys()}) logs in now. */
    boolean logsIn(Map<String, String> delivered) throws Exception;

    /** Stops what the subject started (its own servers); the stack is stopped already. */
    @Override
    default void close() throws IOException {
        // nothing of its own
    }

    /** A hold on the sealer inside a step; {@link #close()} lets go of it (after the test killed the sealer). */
    interface Hold extends AutoCloseable {

        /** Waits until the sealer is held. */
        void awaitHeld() throws Exception;

        @Override
        void close() throws Exception;
    }
}
