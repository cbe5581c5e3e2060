package io.reseal.sealer.crypto;

import java.security.GeneralSecurityException;
import java.security.Provider;
import javax.crypto.Cipher;
import org.conscrypt.Conscrypt;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which JCA provider runs the two costly steps of sealing: the RSA public-key operation and AES-GCM.
 * {@link #CONSCRYPT} (BoringSSL, native) where its library loads — the uber jar ships it for linux (glibc),
 * macOS and Windows on x86_64 — and the JDK's {@link #JDK SunJCE} everywhere else (aarch64, musl).
 *
 * <p>OAEP padding is never the provider's: {@link HybridEncryption} pads in Java (BouncyCastle's
 * {@code OAEPEncoding}) and hands the provider the raw RSA operation, because Conscrypt's own OAEP draws its
 * seed from BoringSSL's generator instead of the caller's {@code SecureRandom}, which would break the
 * reproducible randomness order the golden vectors rely on. Both providers therefore produce the same bytes
 * from the same random source.
 *
 * <p>Thread-safe: every thread gets cipher objects of its own.
 */
public enum SealingProvider {

    /** Conscrypt's BoringSSL: about twice the JDK's RSA-4096 public operations per CPU second. */
    CONSCRYPT("Conscrypt (BoringSSL)"),
    /** The JDK's own SunJCE (BigInteger RSA, AES-NI/CLMUL intrinsics for GCM). */
    JDK("the JDK (SunJCE)");

    private static final Logger LOG = LoggerFactory.getLogger(SealingProvider.class);

    private final String description;
    private final ThreadLocal<Cipher> rawRsa = ThreadLocal.withInitial(() -> cipher("RSA/ECB/NoPadding"));
    private final ThreadLocal<Cipher> aesGcm = ThreadLocal.withInitial(() -> cipher("AES/GCM/NoPadding"));

    SealingProvider(String description) {
        this.description = description;
    }

    /** The fastest provider this machine can load; says once, in the log, which one that is. */
    public static SealingProvider preferred() {
        return Preferred.CHOICE;
    }

    /** For logs and benchmark output: which library seals. */
    public String description() {
        return description;
    }

    /** This thread's {@code RSA/ECB/NoPadding} cipher of this provider. */
    Cipher rawRsa() {
        return rawRsa.get();
    }

    /** This thread's {@code AES/GCM/NoPadding} cipher of this provider. */
    Cipher aesGcm() {
        return aesGcm.get();
    }

    private Cipher cipher(String transformation) {
        try {
            return this == CONSCRYPT ? Cipher.getInstance(transformation, ConscryptHolder.PROVIDER)
                    : Cipher.getInstance(transformation, "SunJCE");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(description + " has no " + transformation, e);
        }
    }

    /** Loads Conscrypt's provider only when it is asked for, so that a machine without its library never touches it. */
    private static final class ConscryptHolder {
        static final Provider PROVIDER = Conscrypt.newProvider();
    }

    private static final class Preferred {
        static final SealingProvider CHOICE = choose();

        private static SealingProvider choose() {
            SealingProvider choice;
            try {
                choice = Conscrypt.isAvailable() ? CONSCRYPT : JDK;
            } catch (LinkageError e) {
                choice = JDK;
            }
            if (choice == JDK) {
                LOG.info("sealing with {}: Conscrypt's native library does not load on {} {}", JDK.description,
                        System.getProperty("os.name"), System.getProperty("os.arch"));
            } else {
                LOG.info("sealing with {}", choice.description);
            }
            return choice;
        }
    }
}
