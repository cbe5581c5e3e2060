package io.reseal.embedded;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The metrics that the shipped {@code deploy/kubernetes/monitoring/} files use, by the service that exposes them, so
 * that each service's test can check that its own are at {@code /metrics} after a run. The PrometheusRule's groups
 * are named {@code reseal-<service>}; the Grafana dashboard's panels sit under rows titled {@code reseal <service>}
 * (the command that runs the service). A group, or a panel, outside such a section is an error: no metric can
 * escape the check by being put where no service claims it. Reads the files at each call; stateless.
 */
public final class ShippedMonitoring {

    /** The folder, seen from a module's directory (where Maven runs its tests). */
    public static final Path DIR = Path.of("..", "deploy", "kubernetes", "monitoring");
    private static final Pattern METRIC = Pattern.compile("reseal_[a-z0-9_]+");
    private static final Pattern GROUP = Pattern.compile("reseal-([a-z]+)");
    private static final Pattern ROW = Pattern.compile("reseal ([a-z]+)");

    private ShippedMonitoring() {}

    /** The metric names (Prometheus form, e.g. {@code reseal_api_denied_total}) each service's alerts and panels use. */
    public static Map<String, Set<String>> metricsByService() {
        Map<String, Set<String>> byService = new TreeMap<>();
        KubernetesSerialization serialization = new KubernetesSerialization();
        GenericKubernetesResource rule = serialization.unmarshal(read("prometheusrule.yaml"), GenericKubernetesResource.class);
        for (Map<String, Object> group : list(map(rule.getAdditionalProperties().get("spec"), "spec").get("groups"), "spec.groups")) {
            String service = section(GROUP, String.valueOf(group.get("name")), "PrometheusRule group");
            for (Map<String, Object> alert : list(group.get("rules"), "group " + group.get("name"))) {
                add(byService, service, String.valueOf(alert.get("expr")));
            }
        }
        Map<String, Object> dashboard = map(serialization.unmarshal(read("grafana-dashboard.json"), Map.class), "dashboard");
        String service = null;
        for (Map<String, Object> panel : list(dashboard.get("panels"), "panels")) {
            if ("row".equals(panel.get("type"))) {
                service = section(ROW, String.valueOf(panel.get("title")), "dashboard row");
                continue;
            }
            if (service == null) {
                throw new IllegalStateException("dashboard panel '" + panel.get("title") + "' is not under a 'reseal <service>' row");
            }
            for (Map<String, Object> target : list(panel.getOrDefault("targets", List.of()), "panel " + panel.get("title"))) {
                add(byService, service, String.valueOf(target.get("expr")));
            }
        }
        return byService;
    }

    private static String section(Pattern pattern, String name, String what) {
        Matcher m = pattern.matcher(name);
        if (!m.matches()) {
            throw new IllegalStateException(what + " '" + name + "' does not name its service as " + pattern.pattern());
        }
        return m.group(1);
    }

    private static void add(Map<String, Set<String>> byService, String service, String expr) {
        Matcher m = METRIC.matcher(expr);
        Set<String> metrics = byService.computeIfAbsent(service, s -> new TreeSet<>());
        while (m.find()) {
            metrics.add(m.group());
        }
    }

    private static String read(String file) {
        try {
            return Files.readString(DIR.resolve(file));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value, String where) {
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalStateException(where + " is not an object");
        }
        return (Map<String, Object>) map;
    }

    private static List<Map<String, Object>> list(Object value, String where) {
        if (!(value instanceof List<?> items)) {
            throw new IllegalStateException(where + " is not a list");
        }
        return items.stream().map(item -> map(item, where + "[]")).toList();
    }
}
