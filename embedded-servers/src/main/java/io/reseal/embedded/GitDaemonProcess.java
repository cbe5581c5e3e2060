package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Debian's {@code git daemon} as a separate process: a real {@code git://} server on {@code 127.0.0.1} (C Git, not
 * JGit) that serves and accepts pushes to the bare repositories under its base folder, {@code <name>.git}. A branch
 * can be protected with a {@code pre-receive} hook, as a Git host does. Needs {@code git} on the PATH
 * ({@link #available()}). {@link #close()} stops the process.
 */
public final class GitDaemonProcess implements AutoCloseable {

    /** What the hook prints when it refuses a push to a protected branch. */
    public static final String PROTECTED_MESSAGE = "branch is protected";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Path base;
    private final int port;
    private final Process process;

    /** Starts {@code git daemon} on a free port for the repositories under {@code base} (created when missing). */
    public GitDaemonProcess(Path base) {
        this.base = base.toAbsolutePath();
        this.port = FreePort.orGiven(0);
        try {
            Files.createDirectories(this.base);
            process = new ProcessBuilder("git", "daemon", "--reuseaddr", "--listen=127.0.0.1", "--port=" + port,
                    "--base-path=" + this.base, "--export-all", "--enable=receive-pack", "--informative-errors",
                    this.base.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(this.base.resolve("daemon.log").toFile())
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start git daemon", e);
        }
        awaitListening();
    }

    /** Whether {@code git} (with its daemon) can be run here. */
    public static boolean available() {
        try {
            return run(Path.of("."), "git", "version") == 0;
        } catch (IOException e) {
            return false;
        }
    }

    /**
     * Creates the bare repository {@code <name>.git} (HEAD on {@code main}) and returns its URL. Push options are
     * not advertised (as on most hosts other than GitLab).
     */
    public URI createRepository(String name) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("repository name: " + name);
        Path dir = directory(name);
        try {
            git(base, "init", "--quiet", "--bare", "--initial-branch=main", dir.toString());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create repository " + name, e);
        }
        return url(name);
    }

    /** {@code git://127.0.0.1:<port>/<name>.git}. */
    public URI url(String name) {
        return URI.create("git://127.0.0.1:" + port + "/" + name + ".git");
    }

    /** The folder of the bare repository {@code <name>.git}. */
    public Path directory(String name) {
        return base.resolve(name + ".git");
    }

    /** Installs a {@code pre-receive} hook in {@code <name>.git} that refuses every update of {@code branch}. */
    public void protectBranch(String name, String branch) {
        Path hook = directory(name).resolve("hooks/pre-receive");
        String script = "#!/bin/sh\n"
                + "while read old new ref; do\n"
                + "  if [ \"$ref\" = \"refs/heads/" + branch + "\" ]; then echo '" + PROTECTED_MESSAGE + "' >&2; exit 1; fi\n"
                + "done\n";
        try {
            Files.createDirectories(hook.getParent());
            Files.writeString(hook, script, StandardCharsets.UTF_8);
            Files.setPosixFilePermissions(hook, PosixFilePermissions.fromString("rwxr-xr-x"));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot install the pre-receive hook", e);
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(10, TimeUnit.SECONDS)) process.destroyForcibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }

    private void awaitListening() {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("git daemon exited with " + process.exitValue() + "; see " + base.resolve("daemon.log"));
            }
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 500);
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(50);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
        close();
        throw new IllegalStateException("git daemon did not listen on port " + port + " within 30 s");
    }

    private static void git(Path dir, String... args) throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("git"));
        command.addAll(List.of(args));
        int code = run(dir, command.toArray(String[]::new));
        if (code != 0) throw new IOException("git " + String.join(" ", args) + " exited with " + code);
    }

    private static int run(Path dir, String... command) throws IOException {
        Process git = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        try {
            if (!git.waitFor(30, TimeUnit.SECONDS)) {
                git.destroyForcibly();
                return -1;
            }
            return git.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            git.destroyForcibly();
            return -1;
        }
    }
}
