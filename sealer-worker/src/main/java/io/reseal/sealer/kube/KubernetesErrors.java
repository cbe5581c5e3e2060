package io.reseal.sealer.kube;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;

/** Sorts API-server failures into passing ones (unreachable, 5xx, 429) and lasting ones (403, 404, ...). */
public final class KubernetesErrors {

    private KubernetesErrors() {}

    private static Exception classify(String what, KubernetesClientException e) {
        int code = e.getCode();
        if (code == 0 || code == 429 || code >= 500) {
            return new RetriableStageException(ErrorCode.KUBERNETES_UNAVAILABLE,
                    what + ": the Kubernetes API did not answer (" + (code == 0 ? "unreachable" : "HTTP " + code) + ")", e);
        }
        return new PermanentStageException(ErrorCode.KUBERNETES_REFUSED, what + ": the Kubernetes API refused (HTTP " + code + ")", e);
    }

    /** Always throws: the retriable or the permanent form of {@code e}. */
    public static void rethrow(String what, KubernetesClientException e) throws RetriableStageException, PermanentStageException {
        Exception classified = classify(what, e);
        if (classified instanceof RetriableStageException r) throw r;
        throw (PermanentStageException) classified;
    }
}
