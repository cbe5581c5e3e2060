/**
 * Secret and SealedSecret manifests in kubeseal's exact YAML and JSON shapes:
 * {@link io.reseal.sealer.manifest.SecretSealer} turns a {@link io.reseal.sealer.manifest.SecretManifest}
 * into a {@link io.reseal.sealer.manifest.SealedSecretManifest} and back;
 * {@link io.reseal.sealer.manifest.OutputFormat} renders either.
 */
package io.reseal.sealer.manifest;
