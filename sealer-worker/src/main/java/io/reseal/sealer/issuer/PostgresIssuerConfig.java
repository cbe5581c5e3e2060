package io.reseal.sealer.issuer;

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
     * @param strategy {@code alternating-users} (default: two logins in {@code role}) or {@code single-user}
     *     ({@code ALTER ROLE role PASSWORD})
     */
    public record Settings(String url, AdminLogin admin, String role, UserStrategy strategy) {

        private static final Pattern ROLE = Pattern.compile("[a-z_][a-z0-9_]{0,59}");

        public Settings {
            if (admin != null) admin.check("postgres.admin");
            if (url == null || !url.startsWith("jdbc:postgresql://")) {
                throw new IllegalArgumentException("postgres.url must be a jdbc:postgresql:// URL");
            }
            if (admin == null) throw new IllegalArgumentException("postgres.admin is required (username and password)");
            if (role == null || !ROLE.matcher(role).matches()) {
                throw new IllegalArgumentException("postgres.role must be a lower-case PostgreSQL identifier"
                        + " (letters, digits, '_', at most 60 characters)");
            }
            strategy = strategy == null ? UserStrategy.ALTERNATING_USERS : strategy;
        }
    }
}
