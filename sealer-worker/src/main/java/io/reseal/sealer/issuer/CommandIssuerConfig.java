package io.reseal.sealer.issuer;

import io.reseal.sealer.values.ValueSource;
import java.time.Duration;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An issuer that is a program of the user's (MLflow users, a registry token, {@code mc admin accesskey}), run
 * once per step with JSON on stdin and stdout (see {@link CommandIssuer}).
 *
 * @param name the issuer's name
 * @param command what to run and what it makes
 * @param revokePrevious when to finish by itself; {@code null}: only when asked
 */
public record CommandIssuerConfig(String name, Settings command, RevokePrevious revokePrevious) implements IssuerConfig {

    public CommandIssuerConfig {
        IssuerConfig.checkedName(name);
        if (command == null) throw new IllegalArgumentException("issuers." + name + ".command is required");
    }

    @Override
    public Set<String> fields() {
        return Collections.unmodifiableSet(new LinkedHashSet<>(command.fields()));
    }

    /**
     * @param run the program and its arguments (no shell)
     * @param fields the fields its credential has, e.g. {@code [accessKey, secretKey]}
     * @param timeout how long one step may take (default one minute); a step that takes longer is killed and retried
     * @param environment variables for the program, as value sources (its admin credentials; never on its command line)
     */
    public record Settings(List<String> run, List<String> fields, Duration timeout, Map<String, ValueSource> environment) {

        private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]{0,127}");

        public Settings {
            if (run == null || run.isEmpty() || run.stream().anyMatch(arg -> arg == null || arg.isEmpty())) {
                throw new IllegalArgumentException("command.run needs the program and its arguments");
            }
            run = List.copyOf(run);
            if (fields == null || fields.isEmpty()) throw new IllegalArgumentException("command.fields needs at least one field");
            for (String field : fields) {
                if (!NAME.matcher(field).matches()) {
                    throw new IllegalArgumentException("command.fields: '" + field + "' is not a field name (letters, digits, '_')");
                }
            }
            if (new LinkedHashSet<>(fields).size() != fields.size()) {
                throw new IllegalArgumentException("command.fields: a field is named twice");
            }
            fields = List.copyOf(fields);
            timeout = timeout == null ? Duration.ofMinutes(1) : timeout;
            if (timeout.isNegative() || timeout.isZero()) throw new IllegalArgumentException("command.timeout must be positive");
            environment = environment == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(environment));
            for (var entry : environment.entrySet()) {
                if (!NAME.matcher(entry.getKey()).matches()) {
                    throw new IllegalArgumentException("command.environment: '" + entry.getKey() + "' is not a variable name");
                }
                if (entry.getValue() instanceof ValueSource.Issued) {
                    throw new IllegalArgumentException("command.environment." + entry.getKey() + " cannot be issued");
                }
            }
        }
    }
}
