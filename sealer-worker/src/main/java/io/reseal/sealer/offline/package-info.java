/**
 * What {@code reseal seal} and {@code reseal unseal} do, without picocli and without a cluster:
 * {@link io.reseal.sealer.offline.OfflineSealer}, {@link io.reseal.sealer.offline.OfflineUnsealer},
 * and the loaders for {@code --cert FILE|URL} and {@code --key FILE[,FILE]}.
 */
package io.reseal.sealer.offline;
