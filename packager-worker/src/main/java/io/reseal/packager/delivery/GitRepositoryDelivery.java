package io.reseal.packager.delivery;

import io.reseal.pipeline.config.GitDeliveryConfig;
import io.reseal.pipeline.event.RotationPackaged;
import io.reseal.pipeline.event.RotationSealed;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.io.UncheckedIOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketException;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.api.PushCommand;
import org.eclipse.jgit.api.errors.GitAPIException;
import org.eclipse.jgit.dircache.DirCache;
import org.eclipse.jgit.dircache.DirCacheBuilder;
import org.eclipse.jgit.dircache.DirCacheEntry;
import org.eclipse.jgit.errors.NoRemoteRepositoryException;
import org.eclipse.jgit.lib.CommitBuilder;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.lib.FileMode;
import org.eclipse.jgit.lib.ObjectId;
import org.eclipse.jgit.lib.ObjectInserter;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.lib.Ref;
import org.eclipse.jgit.lib.RefUpdate;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.revwalk.RevCommit;
import org.eclipse.jgit.revwalk.RevWalk;
import org.eclipse.jgit.transport.PushResult;
import org.eclipse.jgit.transport.RefSpec;
import org.eclipse.jgit.transport.RemoteRefUpdate;
import org.eclipse.jgit.treewalk.TreeWalk;

/**
 * Commits rotations to one workflow's repository ({@code workflows[].delivery.git}) with Eclipse JGit.
 *
 * <p>Each {@link #deliver} works in a fresh bare repository in a temporary folder (removed afterwards): it fetches
 * the branch, looks for a commit carrying the rotation's {@code Reseal-Rotation} trailer and returns that one if
 * it exists (a redelivered rotation makes no second commit), otherwise builds one commit on top of the branch that
 * replaces the rotation's environment folders and {@code SHA256SUMS}/{@code SHA256SUMS.sig} under the configured
 * path and leaves every other file as it was, and pushes it. A push refused because the branch moved (someone
 * else committed) is retried on the new head, up to {@value #ATTEMPTS} times, so the other commit is kept. In
 * merge-request mode the commit goes to {@code reseal/<rotation-id>}, with GitLab's push options
 * {@code merge_request.create} and {@code merge_request.target} when the server accepts push options.
 *
 * <p>Over {@code ssh://} each delivery has its own {@link SshClient} (the configured key, the configured host keys,
 * nothing of the machine's SSH set-up); a server whose host key does not match is a failure that does not pass.
 *
 * <p>Failures are {@link GitDeliveryException}s naming the repository, on one line; their text has passed
 * {@link GitCredentials#scrub}. Thread-safe (no shared mutable state).
 */
public final class GitRepositoryDelivery {

    static final int ATTEMPTS = 5;
    static final String AUTHOR_NAME = "Reseal";
    static final String AUTHOR_EMAIL = "reseal@localhost";
    static final String MERGE_REQUEST_PREFIX = "reseal/";

    private static final Duration TIMEOUT = Duration.ofSeconds(60);
    private static final Pattern SERVER_ERROR = Pattern.compile(": 5\\d\\d\\b");
    private static final String HEADS = Constants.R_HEADS;

    private final GitDeliveryConfig config;
    private final GitCredentials credentials;
    private final Clock clock;

    GitRepositoryDelivery(GitDeliveryConfig config, GitCredentials credentials, Clock clock) {
        this.config = config;
        this.credentials = credentials;
        this.clock = clock;
    }

    /** The repository URL as configured (it holds no credential). */
    public String repository() {
        return config.url().toString();
    }

    /** The configured branch (in merge-request mode: the target of the merge request). */
    public String branch() {
        return config.branch();
    }

    /**
     * Commits {@code files} (paths relative to the delivery folder, as {@code PackageBuilder.repositoryFiles}
     * gives them) for {@code sealed}, or finds the commit an earlier delivery of the same rotation made.
     *
     * @return where the commit is; {@code failure} is always {@code null}
     * @throws GitDeliveryException if the repository cannot be read or the push is refused
     */
    public RotationPackaged.GitDelivery deliver(RotationSealed sealed, SortedMap<String, byte[]> files)
            throws GitDeliveryException {
        Path dir;
        try {
            dir = Files.createTempDirectory("reseal-git-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a working folder for the Git delivery", e);
        }
        try (Git git = Git.init().setBare(true).setGitDir(dir.toFile()).call(); SshClient ssh = credentials.sshClient()) {
            return deliver(new Remote(git, ssh), sealed, files);
        } catch (GitAPIException e) {
            throw failure("preparing the delivery", e, null);
        } finally {
            delete(dir);
        }
    }

    /** The delivery's local repository and, for an {@code ssh://} URL, its SSH client ({@code null} otherwise). */
    private record Remote(Git git, SshClient ssh) {}

    private RotationPackaged.GitDelivery deliver(Remote remoteRepository, RotationSealed sealed,
                                                 SortedMap<String, byte[]> files) throws GitDeliveryException {
        Git git = remoteRepository.git();
        String rotationId = sealed.rotationId();
        String target = HEADS + config.branch();
        boolean mergeRequest = config.mode() == GitDeliveryConfig.Mode.MERGE_REQUEST;
        String pushRef = mergeRequest ? HEADS + MERGE_REQUEST_PREFIX + rotationId : target;
        boolean pushOptions = mergeRequest;
        for (int attempt = 1; ; attempt++) {
            Map<String, Ref> remote = listRemote(remoteRepository);
            ObjectId targetHead = fetch(remoteRepository, remote, target);
            RevCommit done = findRotation(git.getRepository(), targetHead, rotationId);
            if (done != null) {
                return new RotationPackaged.GitDelivery(repository(), config.branch(), done.name(), null, null);
            }
            if (mergeRequest) {
                RevCommit proposed = findRotation(git.getRepository(), fetch(remoteRepository, remote, pushRef), rotationId);
                if (proposed != null) {
                    return delivered(pushRef, proposed, true);
                }
            }
            ObjectId commit = commit(git.getRepository(), targetHead, sealed, files, pushRef);
            Pushed update;
            try {
                update = push(remoteRepository, pushRef, pushOptions ? mergeRequestOptions(sealed) : List.of());
            } catch (PushOptionsNotSupported e) {
                pushOptions = false; // not GitLab: push the branch alone; the team opens the merge request
                attempt--;
                continue;
            }
            RemoteRefUpdate.Status status = update.update().getStatus();
            if (status == RemoteRefUpdate.Status.OK || status == RemoteRefUpdate.Status.UP_TO_DATE) {
                return delivered(pushRef, commit, mergeRequest);
            }
            if (!branchMoved(update.update())) {
                throw new GitDeliveryException("repository " + repository() + ": push to "
                        + pushRef.substring(HEADS.length()) + " refused: " + refusal(update), false);
            }
            if (attempt >= ATTEMPTS) {
                throw new GitDeliveryException("repository " + repository() + ": branch " + config.branch()
                        + " kept moving; " + ATTEMPTS + " pushes were refused as not fast-forward", true);
            }
            // someone else committed meanwhile: fetch their commit and build ours on top of it
        }
    }

    /** Whether a refusal only means the branch moved since it was read (a retry on the new head may pass). */
    private static boolean branchMoved(RemoteRefUpdate update) {
        return switch (update.getStatus()) {
            case REJECTED_NONFASTFORWARD, REJECTED_REMOTE_CHANGED -> true;
            case REJECTED_OTHER_REASON -> update.getMessage() != null
                    && update.getMessage().toLowerCase(Locale.ROOT).contains("lock");
            default -> false;
        };
    }

    private RotationPackaged.GitDelivery delivered(String pushRef, ObjectId commit, boolean mergeRequest) {
        return new RotationPackaged.GitDelivery(repository(), pushRef.substring(HEADS.length()), commit.name(),
                mergeRequest ? config.branch() : null, null);
    }

    private Map<String, Ref> listRemote(Remote remote) throws GitDeliveryException {
        try {
            return remote.git().lsRemote().setRemote(repository()).setHeads(true).setTransportConfigCallback(remote.ssh())
                    .setCredentialsProvider(credentials.provider()).setTimeout(timeoutSeconds()).callAsMap();
        } catch (GitAPIException | RuntimeException e) {
            throw failure("listing the branches", e, remote.ssh());
        }
    }

    /** Fetches {@code ref} if the remote has it; returns its commit, or {@code null} when the branch is new. */
    private ObjectId fetch(Remote remote, Map<String, Ref> refs, String ref) throws GitDeliveryException {
        Ref advertised = refs.get(ref);
        if (advertised == null) return null;
        try {
            remote.git().fetch().setRemote(repository()).setRefSpecs(new RefSpec("+" + ref + ":" + ref))
                    .setTransportConfigCallback(remote.ssh())
                    .setCredentialsProvider(credentials.provider()).setTimeout(timeoutSeconds()).call();
        } catch (GitAPIException | RuntimeException e) {
            throw failure("fetching " + ref.substring(HEADS.length()), e, remote.ssh());
        }
        return advertised.getObjectId();
    }

    private static RevCommit findRotation(Repository repository, ObjectId head, String rotationId) {
        if (head == null) return null;
        try (RevWalk walk = new RevWalk(repository)) {
            walk.markStart(walk.parseCommit(head));
            for (RevCommit commit : walk) {
                if (CommitMessage.isOf(commit.getFullMessage(), rotationId)) return commit;
            }
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the fetched history", e);
        }
    }

    /** One commit on {@code base}: the rotation's folders replaced, every other path of {@code base} kept. */
    private ObjectId commit(Repository repository, ObjectId base, RotationSealed sealed, SortedMap<String, byte[]> files,
                            String ref) {
        String prefix = config.path().isEmpty() ? "" : config.path() + "/";
        Set<String> replaced = files.keySet().stream()
                .map(file -> file.contains("/") ? file.substring(0, file.indexOf('/') + 1) : file)
                .map(name -> prefix + name)
                .collect(Collectors.toSet());
        try (ObjectInserter inserter = repository.newObjectInserter(); RevWalk walk = new RevWalk(repository)) {
            DirCache index = DirCache.newInCore();
            DirCacheBuilder builder = index.builder();
            if (base != null) {
                try (TreeWalk tree = new TreeWalk(repository)) {
                    tree.addTree(walk.parseCommit(base).getTree());
                    tree.setRecursive(true);
                    while (tree.next()) {
                        String path = tree.getPathString();
                        if (replaced.stream().noneMatch(r -> r.endsWith("/") ? path.startsWith(r) : path.equals(r))) {
                            builder.add(entry(path, tree.getFileMode(0), tree.getObjectId(0)));
                        }
                    }
                }
            }
            for (var file : files.entrySet()) {
                builder.add(entry(prefix + file.getKey(), FileMode.REGULAR_FILE,
                        inserter.insert(Constants.OBJ_BLOB, file.getValue())));
            }
            builder.finish();
            PersonIdent reseal = new PersonIdent(AUTHOR_NAME, AUTHOR_EMAIL, clock.instant(), ZoneOffset.UTC);
            CommitBuilder commit = new CommitBuilder();
            commit.setTreeId(index.writeTree(inserter));
            if (base != null) commit.setParentId(base);
            commit.setAuthor(reseal);
            commit.setCommitter(reseal);
            commit.setMessage(CommitMessage.render(sealed));
            ObjectId id = inserter.insert(commit);
            inserter.flush();
            RefUpdate update = repository.updateRef(ref);
            update.setNewObjectId(id);
            RefUpdate.Result result = update.forceUpdate();
            if (result != RefUpdate.Result.NEW && result != RefUpdate.Result.FORCED && result != RefUpdate.Result.NO_CHANGE) {
                throw new IllegalStateException("cannot set the local " + ref + ": " + result);
            }
            return id;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot build the rotation's commit", e);
        }
    }

    private static DirCacheEntry entry(String path, FileMode mode, ObjectId id) {
        DirCacheEntry entry = new DirCacheEntry(path);
        entry.setFileMode(mode);
        entry.setObjectId(id);
        return entry;
    }

    private List<String> mergeRequestOptions(RotationSealed sealed) {
        return List.of("merge_request.create", "merge_request.target=" + config.branch(),
                "merge_request.title=Rotate sealed secrets of " + sealed.workflow() + " (" + sealed.rotationId() + ")");
    }

    private Pushed push(Remote remote, String ref, List<String> options)
            throws GitDeliveryException, PushOptionsNotSupported {
        PushCommand push = remote.git().push().setRemote(repository()).setRefSpecs(new RefSpec(ref + ":" + ref))
                .setTransportConfigCallback(remote.ssh()).setCredentialsProvider(credentials.provider()).setTimeout(timeoutSeconds());
        if (!options.isEmpty()) push.setPushOptions(options);
        try {
            for (PushResult result : push.call()) {
                RemoteRefUpdate update = result.getRemoteUpdate(ref);
                if (update != null) return new Pushed(update, result.getMessages());
            }
            throw new GitDeliveryException("repository " + repository() + ": the push of " + ref + " had no result", true);
        } catch (GitAPIException | RuntimeException e) {
            if (!options.isEmpty() && String.valueOf(e.getMessage()).contains("ush options not supported")) {
                throw new PushOptionsNotSupported();
            }
            throw failure("pushing " + ref.substring(HEADS.length()), e, remote.ssh());
        }
    }

    /** The ref's status and the server's words: its reason for the ref and what it printed (hook output). */
    private String refusal(Pushed pushed) {
        String reason = pushed.update().getMessage();
        String printed = pushed.messages() == null ? "" : pushed.messages().lines().map(String::strip)
                .filter(line -> !line.isEmpty()).collect(Collectors.joining("; "));
        StringBuilder text = new StringBuilder(pushed.update().getStatus().name().toLowerCase(Locale.ROOT).replace('_', ' '));
        if (reason != null && !reason.isBlank()) text.append(": ").append(reason.strip());
        if (!printed.isEmpty()) text.append(" (the server said: ").append(printed).append(')');
        String scrubbed = credentials.scrub(text.toString());
        return scrubbed.length() > 500 ? scrubbed.substring(0, 500) + "..." : scrubbed;
    }

    private record Pushed(RemoteRefUpdate update, String messages) {}

    /** The failure of {@code what}; a host key {@code ssh} refused is named as such and does not pass. */
    private GitDeliveryException failure(String what, Exception e, SshClient ssh) {
        if (ssh != null && ssh.refusedHostKey() != null) {
            return new GitDeliveryException("repository " + repository() + ": " + what + " failed: the server's host"
                    + " key did not match " + ssh.checkedAgainst() + " (the server showed " + ssh.refusedHostKey()
                    + "); if its key changed on purpose, update the configuration", false);
        }
        // one line, as in a log line or a failed record (JGit's SSH client lists each key it tried on its own line)
        String reason = String.valueOf(e.getMessage()).lines().map(String::strip).filter(line -> !line.isEmpty())
                .collect(Collectors.joining("; "));
        reason = credentials.scrub(reason);
        return new GitDeliveryException("repository " + repository() + ": " + what + " failed: " + reason, passing(e));
    }

    /** Whether a transport failure may pass: the server was unreachable, timed out or answered 5xx. */
    static boolean passing(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof NoRemoteRepositoryException) return false;
            if (cause instanceof ConnectException || cause instanceof NoRouteToHostException
                    || cause instanceof UnknownHostException || cause instanceof InterruptedIOException
                    || cause instanceof SocketException) {
                return true;
            }
            if (cause.getMessage() != null && SERVER_ERROR.matcher(cause.getMessage()).find()) return true;
        }
        return false;
    }

    private static int timeoutSeconds() {
        return (int) TIMEOUT.toSeconds();
    }

    static void delete(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException | UncheckedIOException ignored) {
            // a temporary folder (a file vanishing while it is walked, such as JGit's gc.log.lock, is no failure);
            // what is left is removed with the container
        }
    }

    /** The server does not take push options (it is not GitLab): the merge-request branch is pushed alone. */
    private static final class PushOptionsNotSupported extends Exception {
        PushOptionsNotSupported() {
            super(null, null, false, false);
        }
    }
}
