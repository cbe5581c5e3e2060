package io.reseal.sealer.issuer;

import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.Generator;
import io.reseal.sealer.values.ValueResolver;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Properties;
import org.postgresql.PGConnection;

/**
 * Rotates PostgreSQL logins through JDBC. {@code alternating-users}: two logins {@code <role>_a} and
 * {@code <role>_b}, members of {@code role} (created on first use); each rotation sets a fresh password on the
 * one not in use, so both log in until finish, which makes the previous one {@code NOLOGIN} with no password.
 * {@code single-user}: a fresh password on {@code role} itself; the previous password stops at once and there
 * is nothing to revoke. Passwords are sent as SCRAM-SHA-256 verifiers computed here
 * ({@link PGConnection#alterUserPassword}), so no SQL text or server log ever holds one; identifiers are quoted.
 */
public final class PostgresIssuer implements Issuer {

    private static final Generator PASSWORDS = new Generator(Generator.Kind.TOKEN, 32, null);

    private final PostgresIssuerConfig config;
    private final ValueResolver values;
    private final SecureRandom random;

    public PostgresIssuer(PostgresIssuerConfig config, ValueResolver values, SecureRandom random) {
        this.config = config;
        this.values = values;
        this.random = random;
    }

    @Override
    public Pending create(String rotationId, String current) throws RetriableStageException, PermanentStageException {
        String role = config.postgres().role();
        boolean alternating = config.postgres().strategy() == UserStrategy.ALTERNATING_USERS;
        String pending = !alternating ? role : (role + "_a").equals(current) ? role + "_b" : role + "_a";
        byte[] password = PASSWORDS.generate(random);
        char[] chars = new String(password, StandardCharsets.US_ASCII).toCharArray();
        try (Connection admin = adminConnection()) {
            if (alternating) {
                if (!exists(admin, pending)) {
                    try (Statement create = admin.createStatement()) {
                        create.execute("CREATE ROLE " + quote(pending) + " LOGIN IN ROLE " + quote(role));
                    }
                } else {
                    try (Statement login = admin.createStatement()) {
                        login.execute("ALTER ROLE " + quote(pending) + " LOGIN");
                    }
                }
            }
            admin.unwrap(PGConnection.class).alterUserPassword(pending, chars, "scram-sha-256");
            Map<String, SecretValue> fields = new LinkedHashMap<>();
            fields.put("username", SecretValue.ofUtf8(pending));
            fields.put("password", SecretValue.of(password));
            return new Pending(new Credential(pending, fields),
                    new IssuedVersions(config.name(), config.postgres().strategy().wireName(), alternating ? current : null, pending));
        } catch (SQLException e) {
            rethrow("create", e);
            return null;
        } finally {
            Arrays.fill(password, (byte) 0);
            Arrays.fill(chars, '\0');
        }
    }

    @Override
    public void test(Pending pending) throws RetriableStageException, PermanentStageException {
        String user = new String(pending.credential().field("username").bytes(), StandardCharsets.UTF_8);
        byte[] password = pending.credential().field("password").bytes();
        try (Connection login = connect(user, password);
             PreparedStatement member = login.prepareStatement("SELECT pg_has_role(current_user, ?, 'USAGE')")) {
            member.setString(1, config.postgres().role());
            try (ResultSet result = member.executeQuery()) {
                if (!result.next() || !result.getBoolean(1)) {
                    throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, "issuer " + config.name() + ": login "
                            + user + " works but does not carry the privileges of role " + config.postgres().role());
                }
            }
        } catch (SQLException e) {
            if (isConnectionFailure(e)) rethrow("test", e);
            throw new PermanentStageException(ErrorCode.ISSUER_TEST_FAILED, "issuer " + config.name() + ": the new credential of "
                    + user + " does not log in (" + e.getSQLState() + " " + e.getMessage() + ")");
        } finally {
            Arrays.fill(password, (byte) 0);
        }
    }

    @Override
    public void discard(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (config.postgres().strategy() == UserStrategy.ALTERNATING_USERS) {
            disable(versions.pending(), "discard");
        }
    }

    @Override
    public void revokePrevious(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (versions.current() != null && !versions.current().equals(versions.pending())) {
            disable(versions.current(), "finish");
        }
    }

    /**
     * The sessions of the previous login, from {@code pg_stat_activity.usename} (which every login may read);
     * empty for {@code single-user}, whose previous password already stopped working.
     */
    @Override
    public OptionalInt inUse(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (versions.current() == null || versions.current().equals(versions.pending())) {
            return OptionalInt.empty();
        }
        try (Connection admin = adminConnection();
             PreparedStatement query = admin.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE usename = ?")) {
            query.setString(1, versions.current());
            try (ResultSet result = query.executeQuery()) {
                result.next();
                return OptionalInt.of(result.getInt(1));
            }
        } catch (SQLException e) {
            rethrow("in-use check", e);
            return OptionalInt.empty();
        }
    }

    private void disable(String login, String step) throws RetriableStageException, PermanentStageException {
        try (Connection admin = adminConnection(); Statement statement = admin.createStatement()) {
            if (exists(admin, login)) {
                statement.execute("ALTER ROLE " + quote(login) + " NOLOGIN PASSWORD NULL");
            }
        } catch (SQLException e) {
            rethrow(step, e);
        }
    }

    private static boolean exists(Connection admin, String role) throws SQLException {
        try (PreparedStatement query = admin.prepareStatement("SELECT 1 FROM pg_roles WHERE rolname = ?")) {
            query.setString(1, role);
            try (ResultSet result = query.executeQuery()) {
                return result.next();
            }
        }
    }

    private Connection adminConnection() throws RetriableStageException, PermanentStageException {
        String what = "issuer " + config.name() + ", admin ";
        SecretValue username = values.resolve(what + "username", config.postgres().admin().username());
        SecretValue password = values.resolve(what + "password", config.postgres().admin().password());
        byte[] secret = password.bytes();
        try {
            return connect(new String(username.bytes(), StandardCharsets.UTF_8), secret);
        } catch (SQLException e) {
            rethrow("admin login", e);
            return null;
        } finally {
            Arrays.fill(secret, (byte) 0);
            username.destroy();
            password.destroy();
        }
    }

    private Connection connect(String user, byte[] password) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", user);
        props.setProperty("password", new String(password, StandardCharsets.UTF_8));
        props.setProperty("connectTimeout", "10");
        props.setProperty("ApplicationName", "reseal-sealer");
        return DriverManager.getConnection(config.postgres().url(), props);
    }

    /** Always throws: retriable when the server could not be reached, permanent otherwise. */
    private void rethrow(String step, SQLException e) throws RetriableStageException, PermanentStageException {
        String message = "issuer " + config.name() + ", " + step + ": " + e.getSQLState() + " " + e.getMessage();
        if (isConnectionFailure(e)) throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, message, null);
        throw new PermanentStageException(ErrorCode.ISSUER_FAILED, message);
    }

    /** Connection exceptions (SQLSTATE class 08) and a server shutting down (57P) may pass; anything else will not. */
    private static boolean isConnectionFailure(SQLException e) {
        String state = e.getSQLState();
        return state != null && (state.startsWith("08") || state.startsWith("57P"));
    }

    /** A PostgreSQL quoted identifier. */
    static String quote(String identifier) {
        return '"' + identifier.replace("\"", "\"\"") + '"';
    }
}
