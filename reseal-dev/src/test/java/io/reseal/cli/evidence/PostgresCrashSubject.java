package io.reseal.cli.evidence;

import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;

/**
 * The {@code postgres} issuer, {@code alternating-users}, on the stack's real PostgreSQL server, held by the server's
 * own locks, with no hook in the sealer:
 * <ul>
 *   <li>in test: the logins' {@code search_path} puts a schema first whose {@code pg_has_role(name, name, text)}
 *       (the function the issuer's test step calls) waits for an advisory lock the test holds, then answers as
 *       {@code pg_catalog}'s does;</li>
 *   <li>in finish: the test locks the logins' rows of {@code pg_authid} ({@code SELECT ... FOR UPDATE}), so the
 *       sealer's {@code ALTER ROLE ... NOLOGIN PASSWORD NULL} waits; once the sealer is dead the test lets go, and the
 *       orphaned statement completes: the revocation is done at the server but never recorded.</li>
 * </ul>
 * The test sees the sealer held in {@code pg_stat_activity} (its sessions are named {@code reseal-sealer}).
 */
final class PostgresCrashSubject implements CrashSubject {

    private static final String ROLE = "crash_app";
    private static final String ADMIN = "reseal_admin";
    private static final String HOLD_SCHEMA = "crash_hold";
    private static final long HOLD_LOCK = 0x12e5ea1L;

    private String url;

    @Override
    public String issuer() {
        return "crash-db";
    }

    @Override
    public String issuerEntry(EvidenceStack stack) {
        url = stack.postgres().jdbcUrl();
        return """
                - name: crash-db
                  postgres:
                    url: "%s"
                    admin: {username: {literal: %s}, password: {env: %s}}
                    role: %s
                    strategy: alternating-users
                """.formatted(url, ADMIN, EvidenceStack.ENV_PG_ADMIN, ROLE);
    }

    @Override
    public Map<String, String> keys() {
        Map<String, String> keys = new LinkedHashMap<>();
        keys.put("CRASH_DB_USERNAME", "username");
        keys.put("CRASH_DB_PASSWORD", "password");
        return keys;
    }

    @Override
    public void prepare(EvidenceStack stack) {
        stack.postgres().execute("CREATE ROLE " + ROLE + " NOLOGIN", "GRANT " + ROLE + " TO " + ADMIN + " WITH ADMIN OPTION",
                "CREATE SCHEMA " + HOLD_SCHEMA, "GRANT USAGE ON SCHEMA " + HOLD_SCHEMA + " TO " + ROLE,
                "CREATE FUNCTION " + HOLD_SCHEMA + ".pg_has_role(name, name, text) RETURNS boolean LANGUAGE plpgsql AS $$ BEGIN "
                        + "PERFORM pg_catalog.pg_advisory_lock(" + HOLD_LOCK + "); PERFORM pg_catalog.pg_advisory_unlock(" + HOLD_LOCK
                        + "); RETURN pg_catalog.pg_has_role($1, $2, $3); END $$");
    }

    @Override
    public Hold holdTest() throws SQLException {
        Connection holder = superuser();
        List<String> logins = logins(holder);
        try (Statement sql = holder.createStatement()) {
            sql.execute("SELECT pg_catalog.pg_advisory_lock(" + HOLD_LOCK + ")");
            for (String login : logins) {
                sql.execute("ALTER ROLE " + login + " SET search_path = " + HOLD_SCHEMA + ", pg_catalog");
            }
        }
        return new Hold() {
            @Override
            public void awaitHeld() {
                awaitSealerWaitingOn("advisory", "%pg_has_role%");
            }

            @Override
            public void close() throws SQLException {
                try (holder; Statement sql = holder.createStatement()) {
                    for (String login : logins) sql.execute("ALTER ROLE " + login + " RESET search_path");
                }
                awaitNoSealerSession();
            }
        };
    }

    @Override
    public Hold holdFinish() throws SQLException {
        Connection holder = superuser();
        holder.setAutoCommit(false);
        try (PreparedStatement lock = holder.prepareStatement(
                "SELECT rolname FROM pg_catalog.pg_authid WHERE rolname LIKE ? FOR UPDATE")) {
            lock.setString(1, ROLE + "\\_%");
            lock.executeQuery().close();
        }
        return new Hold() {
            @Override
            public void awaitHeld() {
                awaitSealerWaitingOn("transactionid", "ALTER ROLE%NOLOGIN%");
            }

            @Override
            public void close() throws SQLException {
                try (holder) {
                    holder.rollback();
                }
                awaitNoSealerSession();
            }
        };
    }

    /** Logins that may log in and have a password, but the issuer's admin: each with a hash of its SCRAM verifier. */
    @Override
    public Map<String, String> accepted() throws SQLException {
        Map<String, String> accepted = new TreeMap<>();
        try (Connection superuser = superuser();
             PreparedStatement query = superuser.prepareStatement("SELECT rolname, rolpassword FROM pg_catalog.pg_authid "
                     + "WHERE rolcanlogin AND rolpassword IS NOT NULL AND NOT rolsuper AND rolname <> ?")) {
            query.setString(1, ADMIN);
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) accepted.put(rows.getString(1), fingerprint(rows.getString(2)));
            }
        }
        return accepted;
    }

    /** Logs in with the delivered login and password; it must carry the role's privileges. */
    @Override
    public boolean logsIn(Map<String, String> delivered) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", delivered.get("CRASH_DB_USERNAME"));
        props.setProperty("password", delivered.get("CRASH_DB_PASSWORD"));
        try (Connection login = DriverManager.getConnection(url, props);
             Statement sql = login.createStatement();
             ResultSet member = sql.executeQuery("SELECT pg_catalog.pg_has_role(current_user, '" + ROLE + "', 'USAGE')")) {
            member.next();
            if (!member.getBoolean(1)) {
                throw new AssertionError(delivered.get("CRASH_DB_USERNAME") + " logs in without the privileges of " + ROLE);
            }
            return true;
        } catch (SQLException e) {
            // 28P01: wrong password; 28000: the login may not log in
            if ("28P01".equals(e.getSQLState()) || "28000".equals(e.getSQLState())) return false;
            throw e;
        }
    }

    private static List<String> logins(Connection superuser) throws SQLException {
        List<String> logins = new ArrayList<>();
        try (PreparedStatement query = superuser.prepareStatement("SELECT rolname FROM pg_catalog.pg_roles WHERE rolname LIKE ?")) {
            query.setString(1, ROLE + "\\_%");
            try (ResultSet rows = query.executeQuery()) {
                while (rows.next()) logins.add('"' + rows.getString(1) + '"');
            }
        }
        if (logins.isEmpty()) throw new IllegalStateException("no login of " + ROLE + " yet to hold");
        return logins;
    }

    /** Until a sealer session waits on a lock of type {@code waitEvent} in a statement like {@code query}. */
    private void awaitSealerWaitingOn(String waitEvent, String query) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100)).until(() -> sealerSessions(
                "wait_event_type = 'Lock' AND wait_event = '" + waitEvent + "' AND query LIKE '" + query + "'") > 0);
    }

    /** Until the sessions of the killed sealer, let go of, have ended. */
    private void awaitNoSealerSession() {
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100)).until(() -> sealerSessions("true") == 0);
    }

    private int sealerSessions(String condition) throws SQLException {
        try (Connection superuser = superuser(); Statement sql = superuser.createStatement();
             ResultSet count = sql.executeQuery("SELECT count(*) FROM pg_catalog.pg_stat_activity "
                     + "WHERE application_name = 'reseal-sealer' AND " + condition)) {
            count.next();
            return count.getInt(1);
        }
    }

    private Connection superuser() throws SQLException {
        return DriverManager.getConnection(url, "postgres", "");
    }

    private static String fingerprint(String verifier) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(verifier.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
