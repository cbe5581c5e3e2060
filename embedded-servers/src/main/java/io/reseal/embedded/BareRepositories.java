package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * The bare repositories {@code <name>.git} under one folder that the test Git servers serve (HEAD on
 * {@code main}); names are lower-case letters, digits and {@code -}, so that no request reaches outside the folder.
 * A branch can be protected: pushes to it are then refused with {@link #PROTECTED_MESSAGE}, as a Git host does.
 * Thread-safe.
 */
final class BareRepositories {

    /** What the servers say when a push to a protected branch is refused (GitLab's words). */
    static final String PROTECTED_MESSAGE = "You are not allowed to push code to protected branches on this project.";

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Path base;
    private final Set<String> protectedRefs = ConcurrentHashMap.newKeySet();

    BareRepositories(Path base) {
        this.base = base.toAbsolutePath();
        try {
            Files.createDirectories(this.base);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create " + this.base, e);
        }
    }

    /** Creates the bare repository {@code <name>.git} with HEAD on {@code main}. */
    void create(String name) {
        if (!NAME.matcher(name).matches()) throw new IllegalArgumentException("repository name: " + name);
        try (Repository repository = FileRepositoryBuilder.create(directory(name).toFile())) {
            repository.create(true);
            repository.getRefDatabase().newUpdate("HEAD", false).link("refs/heads/main");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create repository " + name, e);
        }
    }

    /** The folder of {@code <name>.git}. */
    Path directory(String name) {
        return base.resolve(name + ".git");
    }

    /** The existing repository {@code name} ({@code <name>} or {@code <name>.git}). */
    Repository open(String name) throws RepositoryNotFoundException {
        String plain = name.endsWith(".git") ? name.substring(0, name.length() - 4) : name;
        Path dir = directory(plain);
        if (!NAME.matcher(plain).matches() || !Files.isDirectory(dir)) throw new RepositoryNotFoundException(name);
        try {
            return FileRepositoryBuilder.create(dir.toFile());
        } catch (IOException e) {
            throw new RepositoryNotFoundException(name, e);
        }
    }

    /** From now on, pushes that change {@code branch} of {@code name} are refused. */
    void protectBranch(String name, String branch) {
        protectedRefs.add(directory(name) + ":refs/heads/" + branch);
    }

    /** Refuses the {@code commands} of a push to {@code repository} that change a protected branch. */
    void refuseProtected(Repository repository, Collection<ReceiveCommand> commands) {
        for (ReceiveCommand command : commands) {
            if (protectedRefs.contains(repository.getDirectory().toPath().toAbsolutePath() + ":" + command.getRefName())) {
                command.setResult(ReceiveCommand.Result.REJECTED_OTHER_REASON, PROTECTED_MESSAGE);
            }
        }
    }
}
