package io.reseal.embedded;

import java.net.URI;
import java.nio.file.Path;

/**
 * What the embedded Git servers ({@link EmbeddedGitServer} over HTTP, {@link EmbeddedSshGitServer} over SSH) share:
 * the bare repositories {@code <name>.git} under a base folder, made, found on disk and branch-protected alike.
 * A server says only how it serves them ({@link #url}). Thread-safe.
 */
public abstract sealed class BareRepositoryHost implements AutoCloseable permits EmbeddedGitServer, EmbeddedSshGitServer {

    /** What the server says when a push to a protected branch is refused. */
    public static final String PROTECTED_MESSAGE = BareRepositories.PROTECTED_MESSAGE;

    final BareRepositories repositories;

    /** @param base where the repositories live (created when missing) */
    BareRepositoryHost(Path base) {
        this.repositories = new BareRepositories(base);
    }

    /** Creates the bare repository {@code <name>.git} (HEAD on {@code main}) and returns its URL. */
    public URI createRepository(String name) {
        repositories.create(name);
        return url(name);
    }

    /** The URL a client clones {@code <name>.git} from. */
    public abstract URI url(String name);

    /** The folder of the bare repository {@code <name>.git}. */
    public Path directory(String name) {
        return repositories.directory(name);
    }

    /** From now on, pushes that change {@code branch} of {@code repository} are refused with {@link #PROTECTED_MESSAGE}. */
    public void protectBranch(String repository, String branch) {
        repositories.protectBranch(repository, branch);
    }

    /** Stops the server; the repositories stay on disk. */
    @Override
    public abstract void close();
}
