/**
 * The one type that holds plaintext credentials: {@link io.reseal.sealer.secret.SecretValue}.
 * Nothing outside the sealer worker ever sees one.
 */
package io.reseal.sealer.secret;
