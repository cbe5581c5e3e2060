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
 * @param subscribe who may subscribe to this workflow in clusters with {@code discover: true}; {@code null}
 *     takes every default of {@link SubscribeConfig}
 * @param requestors who may be named as requestor (and so receive the package) of an API request for this
 *     workflow: addresses, or {@code @domain} for a whole domain; {@code null}: the domain of {@code requestor},
 *     nobody without one
 */
public record WorkflowConfig(
        String name,
        String requestor,
        List<String> bundles,
        Map<String, EnvironmentConfig> environments,
        ScheduleConfig schedule,
        DeliveryConfig delivery,
        SubscribeConfig subscribe,
        List<String> requestors) {

    /** A workflow delivered by archive alone, whose discovered subscriptions and requestors follow the defaults. */
    public WorkflowConfig(String name, String requestor, List<String> bundles, Map<String, EnvironmentConfig> environments,
                          ScheduleConfig schedule) {
        this(name, requestor, bundles, environments, schedule, null, null, null);
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
        subscribe = subscribe == null ? SubscribeConfig.DEFAULT : subscribe;
        requestors = requestors == null ? null : List.copyOf(requestors);
        for (String allowed : requestors == null ? List.<String>of() : requestors) {
            String address = allowed != null && allowed.startsWith("@") ? "x" + allowed : allowed;
            if (address == null || RequestRules.requestor(address).isPresent()) {
                throw new IllegalArgumentException(where + ".requestors: '" + RequestRules.printable(String.valueOf(allowed))
                        + "' is neither an e-mail address nor '@' and a domain");
            }
        }
    }

    /** The Git delivery of this workflow, if it has one. */
    public Optional<GitDeliveryConfig> gitDelivery() {
        return Optional.ofNullable(delivery).map(DeliveryConfig::git);
    }

    /** Whether an API request may name {@code address} as its requestor (see {@code requestors}). */
    public boolean allowsRequestor(String address) {
        String lower = address.toLowerCase(java.util.Locale.ROOT);
        String domain = lower.substring(lower.lastIndexOf('@'));
        if (requestors == null) {
            return requestor != null && domain.equals(requestor.toLowerCase(java.util.Locale.ROOT)
                    .substring(requestor.lastIndexOf('@')));
        }
        return requestors.stream().map(r -> r.toLowerCase(java.util.Locale.ROOT))
                .anyMatch(r -> r.equals(lower) || r.equals(domain));
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
     * Who may subscribe to a workflow by labelling a Namespace {@code reseal.io/workflow=<workflow>} in a cluster
     * with {@code discover: true}: the label claims, this grants. A labelled namespace outside the grant receives
     * nothing. Bundles of a discovered namespace are always limited to the workflow's own {@code bundles}.
     *
     * @param clusters the clusters whose namespaces may subscribe; {@code null}: every cluster with {@code discover: true}
     * @param namespaces the names a subscribed namespace may have, {@code *} matching any run of letters, digits and
     *     {@code -}; {@code null}: the seed naming of its {@code reseal.io/environment} label ({@code <workflow>}
     *     for {@code production}, {@code <workflow>-<env>} for any other)
     * @param contactDomains the e-mail domains a namespace's {@code reseal.io/contacts} may name (others are
     *     dropped); {@code null}: the domain of the workflow's {@code requestor}, none without one
     */
    public record SubscribeConfig(List<String> clusters, List<String> namespaces, List<String> contactDomains) {

        static final SubscribeConfig DEFAULT = new SubscribeConfig(null, null, null);
        private static final java.util.regex.Pattern NAMESPACE_PATTERN = java.util.regex.Pattern.compile("[a-z0-9*]([-a-z0-9*]{0,61}[a-z0-9*])?");
        private static final java.util.regex.Pattern DOMAIN = java.util.regex.Pattern.compile(
                "[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?)+");

        public SubscribeConfig {
            clusters = clusters == null ? null : List.copyOf(clusters);
            namespaces = namespaces == null ? null : List.copyOf(namespaces);
            contactDomains = contactDomains == null ? null : List.copyOf(contactDomains);
            for (String pattern : namespaces == null ? List.<String>of() : namespaces) {
                if (pattern == null || !NAMESPACE_PATTERN.matcher(pattern).matches()) {
                    throw new IllegalArgumentException("subscribe.namespaces: '" + RequestRules.printable(String.valueOf(pattern))
                            + "' is not a namespace name or pattern (lower-case letters, digits, '-', '*')");
                }
            }
            for (String domain : contactDomains == null ? List.<String>of() : contactDomains) {
                if (domain == null || !DOMAIN.matcher(domain).matches()) {
                    throw new IllegalArgumentException("subscribe.contactDomains: '" + RequestRules.printable(String.valueOf(domain))
                            + "' is not a lower-case domain name");
                }
            }
        }

        /** Whether {@code namespace} may subscribe as {@code environment} of {@code workflow}. */
        public boolean allowsNamespace(String workflow, String environment, String namespace) {
            if (namespaces == null) {
                return namespace.equals(defaultNamespace(workflow, environment));
            }
            return namespaces.stream().anyMatch(pattern -> namespace.matches(
                    java.util.Arrays.stream(pattern.split("\\*", -1)).map(java.util.regex.Pattern::quote)
                            .collect(java.util.stream.Collectors.joining("[-a-z0-9]*"))));
        }

        /** Whether {@code cluster} (which has {@code discover: true}) may hold subscriptions. */
        public boolean allowsCluster(String cluster) {
            return clusters == null || clusters.contains(cluster);
        }

        /** Whether a namespace may name {@code address} as a contact of a workflow whose requestor is {@code requestor}. */
        public boolean allowsContact(String address, String requestor) {
            String domain = domainOf(address);
            if (contactDomains == null) {
                return requestor != null && domain.equals(domainOf(requestor));
            }
            return contactDomains.contains(domain);
        }

        private static String domainOf(String address) {
            return address.substring(address.lastIndexOf('@') + 1).toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * When a workflow rotates by itself: either a cron expression (Unix, 5 fields) in a time zone, or
     * a fixed period such as {@code P30D}.
     *
     * @param slack how much older than one schedule period a delivered credential may get before the producer's
     *     {@code reseal_credential_max_age_seconds} is exceeded (default {@link #DEFAULT_SLACK})
     */
    public record ScheduleConfig(String cron, @JsonProperty("timeZone") String timeZone, java.time.Duration every,
                                 java.time.Duration slack) {

        /** One day: a scheduled rotation may take that long to be delivered before the credential counts as overdue. */
        public static final java.time.Duration DEFAULT_SLACK = java.time.Duration.ofDays(1);

        /** A schedule with the default slack. */
        public ScheduleConfig(String cron, String timeZone, java.time.Duration every) {
            this(cron, timeZone, every, null);
        }

        @com.fasterxml.jackson.annotation.JsonCreator
        public ScheduleConfig {
            slack = slack == null ? DEFAULT_SLACK : slack;
            if (slack.isNegative()) {
                throw new IllegalArgumentException("schedule.slack must not be negative");
            }
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
