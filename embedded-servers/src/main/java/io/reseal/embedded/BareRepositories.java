package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Pattern;
import org.eclipse.jgit.errors.RepositoryNotFoundException;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.storage.file.FileRepositoryBuilder;

/**
 * The bare repositories {@code <name>.git} under one folder that the test Git servers serve (HEAD on
 * {@code main}); names are lower-case letters, digits and {@code -}, so that no request reaches outside the folder.
 * Thread-safe.
 */
final class BareRepositories {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");

    private final Path base;

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
}
