package io.reseal.embedded;

import jakarta.servlet.DispatcherType;
import jakarta.servlet.Filter;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletResponse;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.ee10.servlet.FilterHolder;
import org.eclipse.jetty.ee10.servlet.ServletContextHandler;
import org.eclipse.jetty.ee10.servlet.ServletHolder;
import org.eclipse.jetty.server.Server;
import org.eclipse.jgit.http.server.GitServlet;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.UploadPack;

/**
 * A smart-HTTP Git server (Eclipse JGit's {@code GitServlet} on Jetty) on {@code 127.0.0.1}, with HTTP Basic login
 * for one user and token, like a Git host with an access token. Every request needs the login (the repositories
 * are private); pushes are accepted from it, push options are taken (as GitLab does), and a branch can be protected
 * so that pushes to it are refused with the host's message; {@link #afterNextFetch} lets a test commit between a
 * client's fetch and its push. Repositories are bare folders under the base folder,
 * {@code <name>.git}, readable directly with JGit for assertions. Thread-safe.
 */
public final class EmbeddedGitServer extends BareRepositoryHost {

    private final String username;
    private final byte[] expectedAuthorization;
    private final Server jetty;
    private final List<List<String>> pushOptions = new CopyOnWriteArrayList<>();
    private final AtomicReference<Runnable> afterNextFetch = new AtomicReference<>();
    private final int port;

    /**
     * Starts a server on a free port.
     *
     * @param base where the repositories live (created when missing)
     * @param username the one user allowed in
     * @param token that user's password (an access token)
     */
    public EmbeddedGitServer(Path base, String username, String token) {
        super(base);
        this.username = username;
        this.expectedAuthorization = ("Basic " + Base64.getEncoder().encodeToString(
                (username + ":" + token).getBytes(StandardCharsets.UTF_8))).getBytes(StandardCharsets.UTF_8);
        try {
            GitServlet git = new GitServlet();
            git.setRepositoryResolver((request, name) -> repositories.open(name));
            git.setReceivePackFactory((request, repository) -> receivePack(repository));
            git.setUploadPackFactory((request, repository) -> uploadPack(repository));
            ServletContextHandler context = new ServletContextHandler();
            context.setContextPath("/");
            context.addFilter(new FilterHolder(new BasicLogin()), "/*", EnumSet.of(DispatcherType.REQUEST));
            context.addServlet(new ServletHolder(git), "/git/*");
            jetty = LoopbackJetty.serving(context);
            jetty.start();
            port = LoopbackJetty.port(jetty);
        } catch (Exception e) {
            throw new IllegalStateException("cannot start the Git HTTP server", e);
        }
    }

    /** {@code http://127.0.0.1:<port>/git/<name>.git}. */
    @Override
    public URI url(String name) {
        return URI.create("http://127.0.0.1:" + port + "/git/" + name + ".git");
    }

    /** The push options of every push received so far, in order (an empty list for a push without). */
    public List<List<String>> receivedPushOptions() {
        return List.copyOf(pushOptions);
    }

    /**
     * Runs {@code action} once, right after the next fetch has been served (and before its client can push):
     * how a test makes someone else's commit land between a client's fetch and its push.
     */
    public void afterNextFetch(Runnable action) {
        afterNextFetch.set(action);
    }

    private UploadPack uploadPack(Repository repository) {
        UploadPack upload = new UploadPack(repository);
        upload.setPostUploadHook(statistics -> {
            Runnable action = afterNextFetch.getAndSet(null);
            if (action != null) action.run();
        });
        return upload;
    }

    private ReceivePack receivePack(Repository repository) {
        ReceivePack receive = new ReceivePack(repository);
        receive.setAllowPushOptions(true);
        receive.setPreReceiveHook((pack, commands) -> {
            List<String> options = pack.getPushOptions();
            pushOptions.add(options == null ? List.of() : List.copyOf(options));
            repositories.refuseProtected(repository, commands);
        });
        return receive;
    }

    public int port() {
        return port;
    }

    @Override
    public void close() {
        try {
            jetty.stop();
        } catch (Exception e) {
            throw new IllegalStateException("cannot stop the Git HTTP server", e);
        }
    }

    /** HTTP Basic login for the one user; the request then carries that user as its remote user. */
    private final class BasicLogin implements Filter {
        @Override
        public void doFilter(ServletRequest request, ServletResponse response, FilterChain chain)
                throws IOException, ServletException {
            HttpServletRequest http = (HttpServletRequest) request;
            String given = http.getHeader("Authorization");
            if (given == null || !MessageDigest.isEqual(expectedAuthorization, given.getBytes(StandardCharsets.UTF_8))) {
                HttpServletResponse denied = (HttpServletResponse) response;
                denied.setHeader("WWW-Authenticate", "Basic realm=\"git\"");
                denied.sendError(HttpServletResponse.SC_UNAUTHORIZED);
                return;
            }
            chain.doFilter(new HttpServletRequestWrapper(http) {
                @Override
                public String getRemoteUser() {
                    return username;
                }
            }, response);
        }
    }
}
