package io.reseal.sealer.issuer;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.reseal.sealer.values.ValueSource;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A PostgreSQL issuer: logins whose passwords the sealer sets through JDBC with an admin login.
 *
 * @param name the issuer's name
 * @param postgres where and how
 * @param revokePrevious when to finish by itself; {@code null}: only when asked ({@code ./reseal finish})
 */
public record PostgresIssuerConfig(String name, Settings postgres, RevokePrevious revokePrevious) implements IssuerConfig {

    /** Fields of the credential: the login's name and its password. */
    public static final Set<String> FIELDS = Set.of("username", "password");

    public PostgresIssuerConfig {
        IssuerConfig.checkedName(name);
        if (postgres == null) throw new IllegalArgumentException("issuers." + name + ".postgres is required");
    }

    @Override
    public Set<String> fields() {
        return FIELDS;
    }

    /**
     * @param url {@code jdbc:postgresql://host:port/database}
     * @param admin a login allowed to create roles and set their passwords ({@code CREATEROLE})
     * @param role the role whose privileges the rotated login carries
     * @param strategy {@code alternating-users} (default) or {@code single-user}
     */
    public record Settings(String url, Admin admin, String role, Strategy strategy) {

        private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,59}");

        public Settings {
            if (url == null || !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("postgres.url must be a jdbc:postgresql:// URL");
            }
            if (admin == null) throw new IllegalArgumentException("postgres.admin is required (username and password)");
            if (role == null || !ROLE.matcher(role).matches()) {
                throw new IllegalArgumentException("postgres.role must be a lower-case PostgreSQL identifier"
                        + " (letters, digits, '_', at most 60 characters)");
            }
            strategy = strategy == null ? Strategy.ALTERNATING_USERS : strategy;
        }
    }

    /** The admin login, as value sources (never {@code issued}). */
    public record Admin(ValueSource username, ValueSource password) {

        public Admin {
            if (username == null || password == null) {
                throw new IllegalArgumentException("postgres.admin needs username and password");
            }
            if (username instanceof ValueSource.Issued || password instanceof ValueSource.Issued) {
                throw new IllegalArgumentException("postgres.admin cannot be issued by an issuer");
            }
        }
    }

    /** How the credential rotates. */
    public enum Strategy {
        /** Two logins in {@code role}; each rotation sets a fresh password on the one not in use. */
        ALTERNATING_USERS,
        /** {@code ALTER ROLE role PASSWORD}: the previous password stops working at once. */
        SINGLE_USER;

        @JsonValue
        public String wireName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        @JsonCreator
        public static Strategy of(String name) {
            for (Strategy strategy : values()) {
                if (strategy.wireName().equals(name)) return strategy;
            }
            throw new IllegalArgumentException("unknown strategy '" + name + "': expected alternating-users or single-user");
        }
    }
}
