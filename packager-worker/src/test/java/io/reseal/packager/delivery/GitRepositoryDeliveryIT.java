package io.reseal.packager.delivery;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assumptions.assumeThat;

import io.reseal.embedded.EmbeddedGitServer;
import io.reseal.embedded.EmbeddedSshGitServer;
import io.reseal.embedded.GitDaemonProcess;
import io.reseal.packager.SampleRotation;
import io.reseal.packager.archive.PackageBuilder;
import io.reseal.packager.signing.PackageSigner;
import io.reseal.pipeline.config.CredentialSource;
import io.reseal.pipeline.config.GitDeliveryConfig;
import io.reseal.pipeline.config.GitDeliveryConfig.GitCredentialsConfig;
import io.reseal.pipeline.config.GitDeliveryConfig.Mode;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.lib.TreeFormatter;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.treewalk.TreeWalk;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rotations committed to real Git servers started here: JGit's smart-HTTP {@code GitServlet} with a token login,
 * JGit's upload-pack and receive-pack behind Apache MINA sshd over {@code ssh://} with a key login, and Debian's
 * {@code git daemon} (C Git) over {@code git://}.
 */
class GitRepositoryDeliveryIT {

    static final String TOKEN = "glpat-GitDeliveryToken-4f1c9e77a2";
    static final String SSH_PASSPHRASE = "reseal-test-passphrase-71c2";
    static final KeyPair SSH_KEY = SshTestKeys.generate();
    static final String PATH = "secrets/financial-ml";

    @TempDir
    static Path root;

    static EmbeddedGitServer http;
    static EmbeddedSshGitServer ssh;
    static GitDaemonProcess daemon;
    static PackageBuilder builder;
    static final AtomicInteger names = new AtomicInteger();

    @BeforeAll
    static void start() throws IOException {
        http = new EmbeddedGitServer(root.resolve("http"), "reseal-bot", TOKEN);
        ssh = new EmbeddedSshGitServer(root.resolve("ssh"), "git", SSH_KEY.getPublic());
        if (GitDaemonProcess.available()) daemon = new GitDaemonProcess(root.resolve("daemon"));
        builder = new PackageBuilder(PackageSigner.generate(Files.createDirectories(root.resolve("keys"))));
    }

    @AfterAll
    static void stop() {
        http.close();
        ssh.close();
        if (daemon != null) daemon.close();
    }

    /**
     * One repository on one of the servers, with the person who commits to it by hand, and how the packager logs in
     * (its credentials resolved from {@code env}; for SSH the server's host key fingerprint).
     */
    record Repo(String server, URI url, Path dir, GitCredentialsConfig login, String hostKeyFingerprint,
                Map<String, String> env) {
        GitDeliveryConfig config(Mode mode) {
            return new GitDeliveryConfig(url, "main", PATH, mode, login, null, hostKeyFingerprint);
        }

        GitCredentials credentials() {
            return GitCredentials.resolve(config(Mode.PUSH), env::get);
        }

        @Override
        public String toString() {
            return server;
        }
    }

    static Stream<String> servers() {
        return Stream.of("jgit-http", "jgit-ssh", "git-daemon");
    }

    static Repo repo(String server) throws IOException {
        String name = "deploy-" + names.incrementAndGet();
        Repo repo;
        if (server.equals("jgit-http")) {
            repo = new Repo(server, http.createRepository(name), http.directory(name),
                    new GitCredentialsConfig(new CredentialSource("reseal-bot", null, null),
                            new CredentialSource(null, "GIT_TOKEN", null)), null, Map.of("GIT_TOKEN", TOKEN));
        } else if (server.equals("jgit-ssh")) {
            repo = new Repo(server, ssh.createRepository(name), ssh.directory(name), sshLogin(), ssh.hostKeyFingerprint(),
                    Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SSH_KEY, SSH_PASSPHRASE), "GIT_SSH_PASSPHRASE", SSH_PASSPHRASE));
        } else {
            assumeThat(daemon).as("git (with git daemon) on the PATH").isNotNull();
            repo = new Repo(server, daemon.createRepository(name), daemon.directory(name), null, null, Map.of());
        }
        personCommits(repo.dir(), "README.md", "# deploy\n");
        return repo;
    }

    /** The packager's key login: the private key (encrypted) and its passphrase from environment variables. */
    static GitCredentialsConfig sshLogin() {
        return GitCredentialsConfig.sshKey(new CredentialSource(null, "GIT_SSH_KEY", null),
                new CredentialSource(null, "GIT_SSH_PASSPHRASE", null));
    }

    static GitRepositoryDelivery delivery(Repo repo, Mode mode) {
        return new GitRepositoryDelivery(repo.config(mode), repo.credentials(), Clock.systemUTC());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aRotationIsOneCommitByResealWithTheArchivesEnvironmentFoldersAndSignedSums(String server) throws Exception {
        Repo repo = repo(server);
        RotationSealed sealed = SampleRotation.sealed();
        ObjectId before = head(repo.dir(), "main");

        RotationPackaged.GitDelivery delivered = delivery(repo, Mode.PUSH).deliver(sealed, builder.repositoryFiles(sealed));

        assertThat(delivered.repository()).isEqualTo(repo.url().toString());
        assertThat(delivered.branch()).isEqualTo("main");
        assertThat(delivered.targetBranch()).isNull();
        assertThat(delivered.failure()).isNull();
        try (Repository git = open(repo.dir()); RevWalk walk = new RevWalk(git)) {
            RevCommit commit = walk.parseCommit(git.resolve("refs/heads/main"));
            assertThat(commit.name()).isEqualTo(delivered.commit());
            assertThat(commit.getParents()).extracting(RevCommit::getId).containsExactly(before);
            assertThat(commit.getAuthorIdent().getName()).isEqualTo("Reseal");
            assertThat(commit.getFullMessage()).contains("financial-ml", SampleRotation.ROTATION_ID, "ad-hoc",
                    "quarterly rotation", "Reseal-Rotation: " + SampleRotation.ROTATION_ID);
            Map<String, byte[]> tree = tree(git, commit);
            Map<String, byte[]> expected = new TreeMap<>();
            expected.put("README.md", "# deploy\n".getBytes(StandardCharsets.UTF_8));
            builder.repositoryFiles(sealed).forEach((file, bytes) -> expected.put(PATH + "/" + file, bytes));
            assertThat(tree.keySet()).containsExactlyElementsOf(expected.keySet());
            expected.forEach((file, bytes) -> assertThat(tree.get(file)).as(file).isEqualTo(bytes));
            // byte-identical to the archive's environment folders
            assertThat(tree.get(PATH + "/dev/ml-platform-sealed-secret.yaml"))
                    .isEqualTo(sealed.environments().get(0).secrets().get(0).manifest().getBytes(StandardCharsets.UTF_8));
        }
        Path checkout = cloneWithGit(repo);
        assertThat(run(checkout.resolve(PATH), "sha256sum", "--strict", "-c", "SHA256SUMS")).isZero();
        if (onPath("kubectl")) {
            for (String environment : List.of("dev", "production")) {
                assertThat(run(checkout.resolve(PATH), "kubectl", "kustomize", environment + "/")).isZero();
            }
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void twoRotationsAreTwoCommitsWithTheHistoryIntact(String server) throws Exception {
        Repo repo = repo(server);
        GitRepositoryDelivery delivery = delivery(repo, Mode.PUSH);
        RotationSealed first = SampleRotation.sealed("11111111-1111-4111-8111-111111111111");
        RotationSealed second = SampleRotation.sealed("22222222-2222-4222-8222-222222222222");

        String one = delivery.deliver(first, builder.repositoryFiles(first)).commit();
        String two = delivery.deliver(second, builder.repositoryFiles(second)).commit();

        assertThat(log(repo.dir(), "main")).containsExactly(
                "Rotate sealed secrets of financial-ml (ad-hoc) " + two,
                "Rotate sealed secrets of financial-ml (ad-hoc) " + one,
                "a person's commit");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aRedeliveredRotationMakesNoSecondCommit(String server) throws Exception {
        Repo repo = repo(server);
        RotationSealed sealed = SampleRotation.sealed();
        RotationPackaged.GitDelivery first = delivery(repo, Mode.PUSH).deliver(sealed, builder.repositoryFiles(sealed));
        personCommits(repo.dir(), "docs/later.md", "someone's later change\n");

        RotationPackaged.GitDelivery again = delivery(repo, Mode.PUSH).deliver(sealed, builder.repositoryFiles(sealed));

        assertThat(again).isEqualTo(first);
        assertThat(log(repo.dir(), "main")).hasSize(3).first().isEqualTo("a person's commit");
    }

    @Test
    void aPersonsCommitThatLandsBetweenFetchAndPushIsKeptAndTheRotationGoesOnTop() throws Exception {
        Repo repo = repo("jgit-http");
        RotationSealed sealed = SampleRotation.sealed();
        List<ObjectId> theirs = new ArrayList<>();
        http.afterNextFetch(() -> theirs.add(personCommits(repo.dir(), "apps/financial-ml/deployment.yaml", "kind: Deployment\n")));

        String commit = delivery(repo, Mode.PUSH).deliver(sealed, builder.repositoryFiles(sealed)).commit();

        assertThat(theirs).hasSize(1);
        try (Repository git = open(repo.dir()); RevWalk walk = new RevWalk(git)) {
            RevCommit ours = walk.parseCommit(ObjectId.fromString(commit));
            assertThat(git.resolve("refs/heads/main")).isEqualTo(ours);
            assertThat(ours.getParents()).extracting(RevCommit::getId).containsExactly(theirs.get(0));
            assertThat(tree(git, ours)).containsKeys("README.md", "apps/financial-ml/deployment.yaml",
                    PATH + "/dev/kustomization.yaml");
        }
        assertThat(log(repo.dir(), "main")).hasSize(3);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void aPushToAProtectedBranchIsRefusedNamingTheRepositoryAndTheReason(String server) throws Exception {
        Repo repo = repo(server);
        String name = repo.dir().getFileName().toString().replace(".git", "");
        String serverSays;
        if (server.equals("jgit-http")) {
            http.protectBranch(name, "main");
            serverSays = EmbeddedGitServer.PROTECTED_MESSAGE;
        } else if (server.equals("jgit-ssh")) {
            ssh.protectBranch(name, "main");
            serverSays = EmbeddedSshGitServer.PROTECTED_MESSAGE;
        } else {
            daemon.protectBranch(name, "main");
            serverSays = GitDaemonProcess.PROTECTED_MESSAGE;
        }
        RotationSealed sealed = SampleRotation.sealed();

        assertThatThrownBy(() -> delivery(repo, Mode.PUSH).deliver(sealed, builder.repositoryFiles(sealed)))
                .isInstanceOfSatisfying(GitDeliveryException.class, e -> {
                    assertThat(e.passing()).isFalse();
                    assertThat(e.getMessage()).contains(repo.url().toString(), "refused", serverSays)
                            .doesNotContain(TOKEN).doesNotContain(SSH_PASSPHRASE);
                });
        assertThat(log(repo.dir(), "main")).containsExactly("a person's commit");
    }

    @Test
    void aWrongTokenIsRefusedAndTheTokenIsNotInTheMessage() throws Exception {
        Repo repo = repo("jgit-http");
        String wrong = "glpat-WrongToken-0000000000";
        GitCredentials credentials = GitCredentials.resolve(new GitCredentialsConfig(null,
                new CredentialSource(wrong, null, null)), name -> null);
        GitRepositoryDelivery delivery = new GitRepositoryDelivery(
                new GitDeliveryConfig(repo.url(), "main", PATH, Mode.PUSH, null), credentials, Clock.systemUTC());
        RotationSealed sealed = SampleRotation.sealed();

        assertThatThrownBy(() -> delivery.deliver(sealed, builder.repositoryFiles(sealed)))
                .isInstanceOfSatisfying(GitDeliveryException.class, e -> {
                    assertThat(e.passing()).isFalse();
                    assertThat(e.getMessage()).contains(repo.url().toString()).containsIgnoringCase("not authorized")
                            .doesNotContain(wrong).doesNotContain(TOKEN);
                });
    }

    @Test
    void aKeyTheServerDoesNotKnowIsRefusedNamingTheRepository() throws Exception {
        Repo repo = repo("jgit-ssh");
        GitDeliveryConfig config = new GitDeliveryConfig(repo.url(), "main", PATH, Mode.PUSH,
                GitCredentialsConfig.sshKey(new CredentialSource(null, "GIT_SSH_KEY", null), null), null,
                ssh.hostKeyFingerprint());
        GitCredentials wrongKey = GitCredentials.resolve(config,
                Map.of("GIT_SSH_KEY", SshTestKeys.openSsh(SshTestKeys.generate(), null))::get);
        RotationSealed sealed = SampleRotation.sealed();

        assertThatThrownBy(() -> new GitRepositoryDelivery(config, wrongKey, Clock.systemUTC())
                .deliver(sealed, builder.repositoryFiles(sealed)))
                .isInstanceOfSatisfying(GitDeliveryException.class, e -> {
                    assertThat(e.passing()).isFalse();
                    assertThat(e.getMessage()).contains("repository " + repo.url(), "listing the branches failed",
                            "Cannot log in", "server refused").doesNotContain("\n").doesNotContain("PRIVATE KEY");
                });
        assertThat(log(repo.dir(), "main")).containsExactly("a person's commit");
    }

    static Stream<Arguments> hostKeysThatAreNotTheServers() {
        String otherKey = PublicKeyEntry.toString(SshTestKeys.generate().getPublic());
        String otherFingerprint = KeyUtils.getFingerPrint(SshTestKeys.generate().getPublic());
        return Stream.of(
                Arguments.of("another key's fingerprint", null, otherFingerprint, "hostKeyFingerprint " + otherFingerprint),
                Arguments.of("known_hosts with another key for the host", "[127.0.0.1]:" + ssh.port() + " " + otherKey,
                        null, "knownHosts"),
                Arguments.of("the server's key, revoked", "@revoked [127.0.0.1]:" + ssh.port() + " "
                        + PublicKeyEntry.toString(ssh.hostKey()) + "\n[127.0.0.1]:" + ssh.port() + " " + otherKey,
                        ssh.hostKeyFingerprint(), "knownHosts and hostKeyFingerprint"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostKeysThatAreNotTheServers")
    void aHostKeyThatDoesNotMatchIsRefusedAndNotRetried(String what, String knownHosts, String fingerprint,
                                                        String checkedAgainst) throws Exception {
        Repo repo = repo("jgit-ssh");
        GitDeliveryConfig config = new GitDeliveryConfig(repo.url(), "main", PATH, Mode.PUSH, sshLogin(),
                knownHosts == null ? null : new CredentialSource(knownHosts, null, null), fingerprint);
        GitRepositoryDelivery delivery = new GitRepositoryDelivery(config, GitCredentials.resolve(config, repo.env()::get),
                Clock.systemUTC());
        RotationSealed sealed = SampleRotation.sealed();

        assertThatThrownBy(() -> delivery.deliver(sealed, builder.repositoryFiles(sealed)))
                .isInstanceOfSatisfying(GitDeliveryException.class, e -> {
                    assertThat(e.passing()).isFalse();
                    assertThat(e.getMessage()).startsWith("repository " + repo.url() + ": ")
                            .contains("the server's host key did not match " + checkedAgainst,
                                    "the server showed " + ssh.hostKeyFingerprint());
                });
        assertThat(log(repo.dir(), "main")).containsExactly("a person's commit");
    }

    @Test
    void theServersLineInKnownHostsIsEnoughToTrustIt() throws Exception {
        Repo repo = repo("jgit-ssh");
        String knownHosts = "# the team's Git host\nother.example.com " + PublicKeyEntry.toString(
                SshTestKeys.generate().getPublic()) + "\n" + ssh.knownHostsLine() + "\n";
        GitDeliveryConfig config = new GitDeliveryConfig(repo.url(), "main", PATH, Mode.PUSH, sshLogin(),
                new CredentialSource(null, "KNOWN_HOSTS", null), null);
        Map<String, String> env = new java.util.HashMap<>(repo.env());
        env.put("KNOWN_HOSTS", knownHosts);
        RotationSealed sealed = SampleRotation.sealed();

        String commit = new GitRepositoryDelivery(config, GitCredentials.resolve(config, env::get), Clock.systemUTC())
                .deliver(sealed, builder.repositoryFiles(sealed)).commit();

        assertThat(head(repo.dir(), "main").name()).isEqualTo(commit);
    }

    @Test
    void anUnreachableServerMayPass() throws Exception {
        int closed;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            closed = socket.getLocalPort();
        }
        GitRepositoryDelivery delivery = new GitRepositoryDelivery(new GitDeliveryConfig(
                URI.create("http://127.0.0.1:" + closed + "/git/deploy.git"), "main", PATH, Mode.PUSH, null),
                GitCredentials.none(), Clock.systemUTC());
        RotationSealed sealed = SampleRotation.sealed();

        assertThatThrownBy(() -> delivery.deliver(sealed, builder.repositoryFiles(sealed)))
                .isInstanceOfSatisfying(GitDeliveryException.class, e -> {
                    assertThat(e.passing()).isTrue();
                    assertThat(e.getMessage()).contains("127.0.0.1:" + closed);
                });
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("servers")
    void mergeRequestModePushesABranchPerRotationAndLeavesTheTargetAlone(String server) throws Exception {
        Repo repo = repo(server);
        RotationSealed sealed = SampleRotation.sealed();
        int pushesBefore = http.receivedPushOptions().size();

        RotationPackaged.GitDelivery delivered = delivery(repo, Mode.MERGE_REQUEST).deliver(sealed, builder.repositoryFiles(sealed));
        RotationPackaged.GitDelivery again = delivery(repo, Mode.MERGE_REQUEST).deliver(sealed, builder.repositoryFiles(sealed));

        assertThat(delivered.branch()).isEqualTo("reseal/" + SampleRotation.ROTATION_ID);
        assertThat(delivered.targetBranch()).isEqualTo("main");
        assertThat(again).isEqualTo(delivered);
        assertThat(head(repo.dir(), "reseal/" + SampleRotation.ROTATION_ID).name()).isEqualTo(delivered.commit());
        assertThat(log(repo.dir(), "main")).containsExactly("a person's commit");
        if (server.equals("jgit-http")) {
            // GitLab's push options: a merge request into main (the JGit server takes them as GitLab does)
            assertThat(http.receivedPushOptions().subList(pushesBefore, http.receivedPushOptions().size()))
                    .singleElement().satisfies(options -> assertThat(options)
                            .contains("merge_request.create", "merge_request.target=main"));
        }
        // git daemon does not advertise push options: the branch is pushed alone
    }

    // --- reading and writing the servers' repositories directly, as a person with a clone would

    static Repository open(Path dir) throws IOException {
        return FileRepositoryBuilder.create(dir.toFile());
    }

    static ObjectId head(Path dir, String branch) throws IOException {
        try (Repository git = open(dir)) {
            return git.resolve("refs/heads/" + branch);
        }
    }

    /** A commit by a person on {@code main}: {@code file} added (or replaced), the rest of the tree kept. */
    static ObjectId personCommits(Path dir, String file, String content) {
        try (Repository git = open(dir); ObjectInserter inserter = git.newObjectInserter(); RevWalk walk = new RevWalk(git)) {
            ObjectId parent = git.resolve("refs/heads/main");
            Map<String, byte[]> files = parent == null ? new TreeMap<>() : tree(git, walk.parseCommit(parent));
            files.put(file, content.getBytes(StandardCharsets.UTF_8));
            PersonIdent person = new PersonIdent("A Person", "person@example.com");
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(writeTree(inserter, files, ""));
            if (parent != null) commit.setParentId(parent);
            commit.setAuthor(person);
            commit.setCommitter(person);
            commit.setMessage("a person's commit\n");
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = git.updateRef("refs/heads/main");
            update.setNewObjectId(id);
            update.forceUpdate();
            return id;
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static ObjectId writeTree(ObjectInserter inserter, Map<String, byte[]> files, String prefix) throws IOException {
        SortedMap<String, Object> entries = new TreeMap<>();
        Map<String, Map<String, byte[]>> folders = new TreeMap<>();
        for (var file : files.entrySet()) {
            if (!file.getKey().startsWith(prefix)) continue;
            String rest = file.getKey().substring(prefix.length());
            int slash = rest.indexOf('/');
            if (slash < 0) {
                entries.put(rest, file.getValue());
            } else {
                folders.computeIfAbsent(rest.substring(0, slash), k -> new TreeMap<>()).put(file.getKey(), file.getValue());
            }
        }
        for (var folder : folders.entrySet()) {
            entries.put(folder.getKey() + "/", writeTree(inserter, folder.getValue(), prefix + folder.getKey() + "/"));
        }
        // Git sorts a folder as if its name ended with '/'
        TreeFormatter tree = new TreeFormatter();
        for (var entry : entries.entrySet()) {
            if (entry.getValue() instanceof ObjectId folder) {
                tree.append(entry.getKey().substring(0, entry.getKey().length() - 1), FileMode.TREE, folder);
            } else {
                tree.append(entry.getKey(), FileMode.REGULAR_FILE, inserter.insert(Constants.OBJ_BLOB, (byte[]) entry.getValue()));
            }
        }
        return inserter.insert(tree);
    }

    static Map<String, byte[]> tree(Repository git, RevCommit commit) throws IOException {
        Map<String, byte[]> files = new TreeMap<>();
        try (TreeWalk walk = new TreeWalk(git)) {
            walk.addTree(commit.getTree());
            walk.setRecursive(true);
            while (walk.next()) {
                files.put(walk.getPathString(), git.open(walk.getObjectId(0)).getBytes());
            }
        }
        return files;
    }

    /** Subject and id of each commit of {@code branch}, newest first (a person's commits by subject alone). */
    static List<String> log(Path dir, String branch) throws IOException {
        List<String> lines = new ArrayList<>();
        try (Repository git = open(dir); RevWalk walk = new RevWalk(git)) {
            walk.markStart(walk.parseCommit(git.resolve("refs/heads/" + branch)));
            for (RevCommit commit : walk) {
                lines.add(commit.getAuthorIdent().getName().equals("Reseal")
                        ? commit.getShortMessage() + " " + commit.name() : commit.getShortMessage());
            }
        }
        return lines;
    }

    /** A working copy made by C Git from the server, as a team member (or Argo CD) would clone it. */
    static Path cloneWithGit(Repo repo) throws Exception {
        Path checkout = Files.createTempDirectory(root, "clone-");
        assertThat(run(root, "git", "clone", "--quiet", "file://" + repo.dir(), checkout.toString())).isZero();
        return checkout;
    }

    static int run(Path dir, String... command) throws Exception {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).as(String.join(" ", command)).isTrue();
        return process.exitValue();
    }

    static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(dir -> Files.isExecutable(Path.of(dir, tool)));
    }
}
