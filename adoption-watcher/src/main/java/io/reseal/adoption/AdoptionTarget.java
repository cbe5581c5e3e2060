package io.reseal.adoption;

import java.util.List;

/**
 * One namespace a rotation was sealed for, and the SealedSecrets (by name) it should apply.
 *
 * @param contacts the namespace's contacts, as the sealed event names them
 * @param requestor who asked for the rotation
 */
public record AdoptionTarget(
        String rotationId, String workflow, String environment, String namespace, String cluster,
        List<String> secrets, List<String> contacts, String requestor) {

    public AdoptionTarget {
        secrets = List.copyOf(secrets);
        contacts = contacts == null ? List.of() : List.copyOf(contacts);
    }

    /** The cluster and namespace, as informers are keyed. */
    public NamespaceRef ref() {
        return new NamespaceRef(cluster, namespace);
    }

    /** A namespace of a cluster. */
    public record NamespaceRef(String cluster, String namespace) {}
}
