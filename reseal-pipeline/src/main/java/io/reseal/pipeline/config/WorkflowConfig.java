package io.reseal.pipeline.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.reseal.pipeline.event.RequestRules;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A workflow of {@code reseal.yaml}: a team's set of environments and the bundles they receive.
 * Immutable; validated on construction with messages that name the offending key.
 *
 * @param name DNS-1123 label; the namespace of environment {@code production} defaults to it, of any
 *     other environment {@code env} to {@code <name>-<env>}
 * @param requestor who receives scheduled rotations' packages
 * @param bundles the bundles every environment receives unless it names its own
 * @param environments environment name to where it lives (an empty value takes every default)
 * @param schedule when rotations happen by themselves; {@code null} for ad-hoc only
 * @param delivery where rotations go besides the archive (a Git repository); {@code null} for the archive alone
 */
public record WorkflowConfig(
        String name,
        String requestor,
        List<String> bundles,
        Map<String, EnvironmentConfig> environments,
        ScheduleConfig schedule,
        DeliveryConfig delivery) {

    /** A workflow delivered by archive alone. */
    public WorkflowConfig(String name, String requestor, List<String> bundles, Map<String, EnvironmentConfig> environments,
                          ScheduleConfig schedule) {
        this(name, requestor, bundles, environments, schedule, null);
    }

    public WorkflowConfig {
        String where = "workflows." + name;
        RequestRules.workflow(name).ifPresent(e -> {
            throw new IllegalArgumentException("workflows: invalid name '" + RequestRules.printable(name) + "': " + e.message());
        });
        if (requestor != null) {
            RequestRules.requestor(requestor).ifPresent(e -> {
                throw new IllegalArgumentException(where + ".requestor: " + e.message());
            });
        }
        bundles = bundles == null ? List.of() : List.copyOf(bundles);
        if (environments == null || environments.isEmpty()) {
            throw new IllegalArgumentException(where + ".environments: at least one environment is required");
        }
        Map<String, EnvironmentConfig> resolved = new LinkedHashMap<>();
        for (var entry : environments.entrySet()) {
            String env = entry.getKey();
            RequestRules.environments(name, List.of(env)).ifPresent(e -> {
                throw new IllegalArgumentException(where + ".environments: " + e.message());
            });
            EnvironmentConfig given = entry.getValue() == null ? EnvironmentConfig.DEFAULT : entry.getValue();
            resolved.put(env, given.withDefaults(defaultNamespace(name, env), bundles));
        }
        environments = java.util.Collections.unmodifiableMap(resolved);
        if (delivery != null && delivery.git() == null) {
            throw new IllegalArgumentException(where + ".delivery: name a delivery (git), or leave 'delivery' out");
        }
    }

    /** The Git delivery of this workflow, if it has one. */
    public Optional<GitDeliveryConfig> gitDelivery() {
        return Optional.ofNullable(delivery).map(DeliveryConfig::git);
    }

    /** The seed scripts' naming: {@code production} lives in {@code <workflow>}, anything else in {@code <workflow>-<env>}. */
    public static String defaultNamespace(String workflow, String environment) {
        return "production".equals(environment) ? workflow : workflow + "-" + environment;
    }

    public Optional<EnvironmentConfig> environment(String name) {
        return Optional.ofNullable(environments.get(name));
    }

    /**
     * One environment of a workflow.
     *
     * @param cluster the cluster's name in {@code clusters}; {@code null} for the only/first cluster
     * @param namespace defaults to the seed naming
     * @param bundles defaults to the workflow's bundles
     * @param contacts extra recipients of the package e-mail
     */
    public record EnvironmentConfig(String cluster, String namespace, List<String> bundles, List<String> contacts) {

        static final EnvironmentConfig DEFAULT = new EnvironmentConfig(null, null, null, null);

        public EnvironmentConfig {
            bundles = bundles == null ? null : List.copyOf(bundles);
            contacts = contacts == null ? List.of() : List.copyOf(contacts);
            for (String contact : contacts) {
                RequestRules.requestor(contact).ifPresent(e -> {
                    throw new IllegalArgumentException("contacts: '" + RequestRules.printable(contact)
                            + "' is not a plain e-mail address");
                });
            }
            if (namespace != null && (namespace.length() > 63 || !RequestRules.DNS_LABEL.matcher(namespace).matches())) {
                throw new IllegalArgumentException("namespace '" + RequestRules.printable(namespace)
                        + "' is not a DNS-1123 label");
            }
        }

        EnvironmentConfig withDefaults(String defaultNamespace, List<String> defaultBundles) {
            return new EnvironmentConfig(cluster, namespace != null ? namespace : defaultNamespace,
                    bundles != null ? bundles : defaultBundles, contacts);
        }
    }

    /**
     * When a workflow rotates by itself: either a cron expression (Unix, 5 fields) in a time zone, or
     * a fixed period such as {@code P30D}.
     */
    public record ScheduleConfig(String cron, @JsonProperty("timeZone") String timeZone, java.time.Duration every) {

        public ScheduleConfig {
            if ((cron == null) == (every == null)) {
                throw new IllegalArgumentException("schedule: give exactly one of 'cron' or 'every'");
            }
            if (every != null && (every.isNegative() || every.toMinutes() < 1)) {
                throw new IllegalArgumentException("schedule.every must be at least one minute");
            }
            if (timeZone != null) {
                try {
                    java.time.ZoneId.of(timeZone);
                } catch (java.time.DateTimeException e) {
                    throw new IllegalArgumentException("schedule.timeZone: unknown time zone '" + timeZone + "'");
                }
            }
        }
    }
}
