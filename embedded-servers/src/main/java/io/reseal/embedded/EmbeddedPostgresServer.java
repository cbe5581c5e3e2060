package io.reseal.embedded;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import org.postgresql.PGConnection;

/**
 * A real PostgreSQL server (zonky's embedded binaries) on {@code 127.0.0.1}, a free port, that checks passwords
 * (SCRAM-SHA-256) for every login but its own superuser, and logs every statement to {@link #serverLog()} so a
 * test can show what reached the server. {@link #close()} stops it and removes its data.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    private static final String HBA = """
            local all all trust
            host all postgres 127.0.0.1/32 trust
            host all postgres ::1/128 trust
            host all all 127.0.0.1/32 scram-sha-256
            host all all ::1/128 scram-sha-256
            """;

    private final EmbeddedPostgres postgres;
    private final Path serverLog;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres, Path serverLog) {
        this.postgres = postgres;
        this.serverLog = serverLog;
    }

    /** Starts a server (about two seconds). */
    public static EmbeddedPostgresServer start() {
        try {
            Path hba = Files.createTempFile("reseal-pg_hba", ".conf");
            Files.writeString(hba, HBA);
            Path log = Files.createTempFile("reseal-postgres", ".log");
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setServerConfig("password_encryption", "scram-sha-256")
                    .setServerConfig("hba_file", hba.toString())
                    .setServerConfig("log_statement", "all")
                    .setOutputRedirector(ProcessBuilder.Redirect.to(log.toFile()))
                    .start();
            return new EmbeddedPostgresServer(postgres, log);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start PostgreSQL", e);
        }
    }

    /** {@code jdbc:postgresql://127.0.0.1:<port>/postgres}. */
    public String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    /** Runs SQL as the superuser (set-up only: these statements are in the server log as written). */
    public void execute(String... statements) {
        try (Connection superuser = superuser(); Statement sql = superuser.createStatement()) {
            for (String statement : statements) sql.execute(statement);
        } catch (SQLException e) {
            throw new IllegalStateException("set-up SQL failed: " + e.getMessage(), e);
        }
    }

    /**
     * Sets a login's password as a SCRAM verifier computed here, so the password itself never reaches the server
     * log. The driver wipes {@code password} afterwards.
     */
    public void setPassword(String role, char[] password) {
        try (Connection superuser = superuser()) {
            superuser.unwrap(PGConnection.class).alterUserPassword(role, password, "scram-sha-256");
        } catch (SQLException e) {
            throw new IllegalStateException("cannot set the password of " + role + ": " + e.getMessage(), e);
        }
    }

    /** Where the server writes its log (statements included). */
    public Path serverLog() {
        return serverLog;
    }

    private Connection superuser() throws SQLException {
        return postgres.getPostgresDatabase().getConnection();
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
