package io.reseal.sealer.issuer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.sealer.kube.ClusterAccess;
import io.reseal.sealer.values.ValueResolver;
import io.reseal.sealer.values.ValueSource;
import io.reseal.embedded.EmbeddedPostgresServer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The PostgreSQL issuer against a real PostgreSQL server in the test JVM: every credential logs in, or not, at every phase. */
class PostgresIssuerIT {

    private static final String ADMIN_PASSWORD = "admin-password-must-not-leak";
    private static EmbeddedPostgresServer postgres;
    private static String url;

    @BeforeAll
    static void start() {
        postgres = EmbeddedPostgresServer.start();
        url = postgres.jdbcUrl();
        postgres.execute("CREATE ROLE reseal_admin LOGIN CREATEROLE", "CREATE TABLE models (name text)",
                "INSERT INTO models VALUES ('churn')");
        postgres.setPassword("reseal_admin", ADMIN_PASSWORD.toCharArray());
        for (String role : List.of("mlflow_app", "single_app")) {
            postgres.execute("CREATE ROLE " + role + " NOLOGIN", "GRANT SELECT ON models TO " + role,
                    "GRANT " + role + " TO reseal_admin WITH ADMIN OPTION");
        }
    }

    @AfterAll
    static void stop() {
        if (postgres != null) postgres.close();
    }

    @Test
    void noPasswordReachesTheServersStatementLog() throws Exception {
        // given: every statement is logged, and a rotation ran
        PostgresIssuer issuer = issuer("mlflow_app", UserStrategy.ALTERNATING_USERS);
        List<Issuer.Pending> made = List.of(issuer.create("rotation-1", "mlflow_app_a"), issuer.create("rotation-1", "mlflow_app_b"));
        for (Issuer.Pending pending : made) issuer.test(pending);

        // then: the statements are there, with SCRAM verifiers in place of passwords
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(30))
                .until(() -> Files.readString(postgres.serverLog()).contains("mlflow_app_a\" PASSWORD 'SCRAM-SHA-256$"));
        String log = Files.readString(postgres.serverLog());
        assertThat(log).contains("mlflow_app_b\" PASSWORD 'SCRAM-SHA-256$").doesNotContain(ADMIN_PASSWORD);
        for (Issuer.Pending pending : made) {
            assertThat(log).doesNotContain(new String(pending.credential().field("password").bytes(), StandardCharsets.UTF_8));
        }
    }

    static PostgresIssuer issuer(String role, UserStrategy strategy) {
        ValueResolver values = new ValueResolver(Map.of("DB_ADMIN_PASSWORD", ADMIN_PASSWORD)::get,
                new ClusterAccess(List.of()), "dev", new SecureRandom());
        return new PostgresIssuer(new PostgresIssuerConfig("mlflow-db", new PostgresIssuerConfig.Settings(url,
                new AdminLogin(new ValueSource.Literal("reseal_admin"), new ValueSource.Env("DB_ADMIN_PASSWORD")),
                role, strategy), null), values, new SecureRandom());
    }

    @Test
    void alternatingUsersKeepThePreviousLoginValidUntilFinish() throws Exception {
        // given
        PostgresIssuer issuer = issuer("mlflow_app", UserStrategy.ALTERNATING_USERS);

        // when: the first rotation
        Issuer.Pending first = issuer.create("rotation-1", null);
        issuer.test(first);

        // then: its login works and reads what the role may read
        assertThat(first.versions()).isEqualTo(new IssuedVersions("mlflow-db", "alternating-users", null, "mlflow_app_a"));
        assertThat(readsModels(first)).isTrue();
        issuer.revokePrevious(first.versions()); // nothing to revoke
        assertThat(readsModels(first)).isTrue();

        // when: a second rotation
        Issuer.Pending second = issuer.create("rotation-1", first.versions().pending());
        issuer.test(second);

        // then: both log in until finish
        assertThat(second.versions()).isEqualTo(new IssuedVersions("mlflow-db", "alternating-users", "mlflow_app_a", "mlflow_app_b"));
        assertThat(readsModels(first)).isTrue();
        assertThat(readsModels(second)).isTrue();

        // when: finish
        issuer.revokePrevious(second.versions());
        issuer.revokePrevious(second.versions()); // idempotent

        // then: only the new one does
        assertThat(logsIn(first)).isFalse();
        assertThat(readsModels(second)).isTrue();

        // when: a third rotation re-uses the first login with a fresh password
        Issuer.Pending third = issuer.create("rotation-1", second.versions().pending());
        issuer.test(third);

        // then
        assertThat(third.versions().pending()).isEqualTo("mlflow_app_a");
        assertThat(readsModels(third)).isTrue();
        assertThat(readsModels(second)).isTrue();
        assertThat(logsIn(first)).isFalse();
    }

    @Test
    void aRepeatedCreateReissuesTheSamePendingLoginAndOnlyTheLatestPasswordWorks() throws Exception {
        // given: a sealer that made a pending credential and died before sealing it
        PostgresIssuer issuer = issuer("mlflow_app", UserStrategy.ALTERNATING_USERS);
        Issuer.Pending lost = issuer.create("rotation-1", "mlflow_app_b");

        // when: the rotation runs again
        Issuer.Pending again = issuer.create("rotation-1", "mlflow_app_b");

        // then: the same login, and only the credential that is sealed logs in
        assertThat(again.versions().pending()).isEqualTo(lost.versions().pending()).isEqualTo("mlflow_app_a");
        assertThat(logsIn(lost)).isFalse();
        assertThat(readsModels(again)).isTrue();
    }

    @Test
    void aDiscardedPendingLoginNoLongerLogsInAndTheCurrentOneStays() throws Exception {
        // given
        PostgresIssuer issuer = issuer("mlflow_app", UserStrategy.ALTERNATING_USERS);
        Issuer.Pending current = issuer.create("rotation-1", "mlflow_app_b");
        Issuer.Pending pending = issuer.create("rotation-1", current.versions().pending());

        // when
        issuer.discard(pending.versions());

        // then
        assertThat(logsIn(pending)).isFalse();
        assertThat(readsModels(current)).isTrue();
        assertThatThrownBy(() -> issuer.test(pending)).isInstanceOfSatisfying(PermanentStageException.class,
                e -> assertThat(e.code()).isEqualTo("issuer-test-failed"));
    }

    @Test
    void singleUserChangesThePasswordOfTheRoleAtOnce() throws Exception {
        // given
        postgres.execute("ALTER ROLE single_app LOGIN");
        PostgresIssuer issuer = issuer("single_app", UserStrategy.SINGLE_USER);
        Issuer.Pending first = issuer.create("rotation-1", null);
        issuer.test(first);

        // when
        Issuer.Pending second = issuer.create("rotation-1", first.versions().pending());
        issuer.test(second);

        // then
        assertThat(second.versions()).isEqualTo(new IssuedVersions("mlflow-db", "single-user", null, "single_app"));
        assertThat(logsIn(first)).isFalse();
        assertThat(readsModels(second)).isTrue();
    }

    @Test
    void countsTheSessionsOfThePreviousLoginAndKnowsNothingForSingleUser() throws Exception {
        // given: two rotations of their own role; the first login holds two sessions
        postgres.execute("CREATE ROLE busy_app NOLOGIN", "GRANT busy_app TO reseal_admin WITH ADMIN OPTION");
        PostgresIssuer issuer = issuer("busy_app", UserStrategy.ALTERNATING_USERS);
        Issuer.Pending first = issuer.create("rotation-busy-1", null);
        Issuer.Pending second = issuer.create("rotation-busy-2", first.versions().pending());
        try (Connection a = connect(first); Connection b = connect(first); Connection c = connect(second)) {
            // then: the previous login's sessions count, the new one's do not
            assertThat(issuer.inUse(second.versions())).hasValue(2);
        }

        // when: its sessions ended
        // then
        org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
                .until(() -> issuer.inUse(second.versions()).equals(java.util.OptionalInt.of(0)));
        assertThat(issuer.inUse(first.versions())).as("a first rotation has no previous login").isEmpty();
        assertThat(issuer("single_app", UserStrategy.SINGLE_USER).inUse(
                new IssuedVersions("mlflow-db", "single-user", null, "single_app"))).isEmpty();
    }

    @Test
    void aWrongAdminPasswordIsAPermanentFailureThatNamesNoPassword() {
        ValueResolver values = new ValueResolver(Map.of("DB_ADMIN_PASSWORD", "wrong-admin-password")::get,
                new ClusterAccess(List.of()), "dev", new SecureRandom());
        PostgresIssuer issuer = new PostgresIssuer(new PostgresIssuerConfig("mlflow-db", new PostgresIssuerConfig.Settings(url,
                new AdminLogin(new ValueSource.Literal("reseal_admin"), new ValueSource.Env("DB_ADMIN_PASSWORD")),
                "mlflow_app", null), null), values, new SecureRandom());

        assertThatThrownBy(() -> issuer.create("rotation-1", null))
                .isInstanceOfSatisfying(PermanentStageException.class, e -> assertThat(e.code()).isEqualTo("issuer-failed"))
                .hasMessageStartingWith("issuer mlflow-db, admin login: 28P01")
                .hasMessageNotContaining("wrong-admin-password");
    }

    @Test
    void quotesIdentifiers() {
        assertThat(PostgresIssuer.quote("a\"b")).isEqualTo("\"a\"\"b\"");
    }

    static boolean logsIn(Issuer.Pending credential) {
        try (Connection ignored = connect(credential)) {
            return true;
        } catch (SQLException e) {
            // a wrong password (28P01) or a login that may not log in (28000), nothing else
            assertThat(e.getSQLState()).as(e.getMessage()).isIn("28P01", "28000");
            return false;
        }
    }

    static boolean readsModels(Issuer.Pending credential) throws SQLException {
        try (Connection login = connect(credential); Statement sql = login.createStatement();
             var result = sql.executeQuery("SELECT name FROM models")) {
            return result.next() && result.getString(1).equals("churn");
        }
    }

    static Connection connect(Issuer.Pending credential) throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", new String(credential.credential().field("username").bytes(), StandardCharsets.UTF_8));
        props.setProperty("password", new String(credential.credential().field("password").bytes(), StandardCharsets.UTF_8));
        return DriverManager.getConnection(url, props);
    }
}
