/**
 * The sealing core, as small as sealed-secrets' own {@code pkg/crypto}: one value sealed and opened
 * ({@link io.reseal.sealer.crypto.HybridEncryption}), the controller's certificate
 * ({@link io.reseal.sealer.crypto.SealingCertificate}) and private keys
 * ({@link io.reseal.sealer.crypto.PrivateKeyPem}). Every user-facing failure is a
 * {@link io.reseal.sealer.crypto.SealingException} with a one-line message and no plaintext.
 */
package io.reseal.sealer.crypto;
