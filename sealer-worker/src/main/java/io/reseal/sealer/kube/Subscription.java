package io.reseal.sealer.kube;

import java.util.List;

/**
 * One namespace that receives a workflow's packages: its environment, cluster, the bundles it takes
 * and who else should hear about a new package.
 */
public record Subscription(String environment, String namespace, String cluster, List<String> bundles, List<String> contacts) {

    public Subscription {
        bundles = List.copyOf(bundles);
        contacts = List.copyOf(contacts);
    }
}
