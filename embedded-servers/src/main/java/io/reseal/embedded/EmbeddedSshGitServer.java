package io.reseal.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.channel.ChannelSession;
import org.apache.sshd.server.command.AbstractCommandSupport;
import org.apache.sshd.server.command.Command;
import org.apache.sshd.server.command.CommandFactory;
import org.apache.sshd.server.shell.UnknownCommand;
import org.eclipse.jgit.lib.Repository;
import org.eclipse.jgit.transport.ReceivePack;
import org.eclipse.jgit.transport.RemoteConfig;
import org.eclipse.jgit.transport.UploadPack;

/**
 * An SSH Git server (Apache MINA sshd running JGit's {@code UploadPack} and {@code ReceivePack}, what
 * {@code git-upload-pack} and {@code git-receive-pack} do on a Git host) on {@code 127.0.0.1}. It logs in one user
 * by one public key only (no password, no keyboard-interactive, no shell), serves fetches and pushes of the bare
 * repositories {@code <name>.git} under its base folder (a protected branch refuses pushes with
 * {@link #PROTECTED_MESSAGE}), and shows a host key it generates at start (so a client
 * must be told the key: {@link #hostKeyFingerprint()}, {@link #knownHostsLine()}). Thread-safe.
 */
public final class EmbeddedSshGitServer extends BareRepositoryHost {

    private final String username;
    private final PublicKey authorizedKey;
    private final KeyPair hostKey;
    private final SshServer server;

    /**
     * Starts a server on a free port.
     *
     * @param base where the repositories live (created when missing)
     * @param username the one user allowed in
     * @param authorizedKey that user's public key, the only login accepted
     */
    public EmbeddedSshGitServer(Path base, String username, PublicKey authorizedKey) {
        super(base);
        this.username = username;
        this.authorizedKey = authorizedKey;
        this.hostKey = generateHostKey();
        server = SshServer.setUpDefaultServer();
        server.setHost("127.0.0.1");
        server.setPort(0);
        server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
        server.setPasswordAuthenticator(null);
        server.setKeyboardInteractiveAuthenticator(null);
        server.setHostBasedAuthenticator(null);
        server.setGSSAuthenticator(null);
        server.setPublickeyAuthenticator((user, key, session) ->
                this.username.equals(user) && KeyUtils.compareKeys(this.authorizedKey, key));
        server.setShellFactory(null);
        server.setCommandFactory(new GitCommands());
        try {
            server.start();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot start the SSH Git server", e);
        }
    }

    /** {@code ssh://<user>@127.0.0.1:<port>/<name>.git}. */
    @Override
    public URI url(String name) {
        return URI.create("ssh://" + username + "@127.0.0.1:" + port() + "/" + name + ".git");
    }

    public int port() {
        return server.getPort();
    }

    /** The server's host key. */
    public PublicKey hostKey() {
        return hostKey.getPublic();
    }

    /** The host key's fingerprint as {@code ssh-keygen -l} prints it: {@code SHA256:<base64>}. */
    public String hostKeyFingerprint() {
        return KeyUtils.getFingerPrint(hostKey.getPublic());
    }

    /** The {@code known_hosts} line of this server: {@code [127.0.0.1]:<port> ecdsa-sha2-nistp256 AAAA...}. */
    public String knownHostsLine() {
        return "[127.0.0.1]:" + port() + " " + PublicKeyEntry.toString(hostKey.getPublic());
    }

    @Override
    public void close() {
        try {
            server.stop(true);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot stop the SSH Git server", e);
        }
    }

    private static KeyPair generateHostKey() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate the SSH host key", e);
        }
    }

    /** {@code git-upload-pack '<repo>'} and {@code git-receive-pack '<repo>'}; anything else is unknown. */
    private final class GitCommands implements CommandFactory {
        @Override
        public Command createCommand(ChannelSession channel, String command) {
            List<String> words = CommandFactory.split(command);
            if (words.size() == 2 && words.get(0).equals(RemoteConfig.DEFAULT_UPLOAD_PACK)) {
                return new GitCommand(command, words.get(1), false);
            }
            if (words.size() == 2 && words.get(0).equals(RemoteConfig.DEFAULT_RECEIVE_PACK)) {
                return new GitCommand(command, words.get(1), true);
            }
            return new UnknownCommand(command);
        }
    }

    /** One fetch or push, served by JGit on the channel's streams. */
    private final class GitCommand extends AbstractCommandSupport {
        private final String repository;
        private final boolean receive;

        GitCommand(String command, String repository, boolean receive) {
            super(command, null);
            this.repository = repository;
            this.receive = receive;
        }

        @Override
        public void run() {
            String name = repository.startsWith("/") ? repository.substring(1) : repository;
            try (Repository git = repositories.open(name)) {
                if (receive) {
                    ReceivePack pack = new ReceivePack(git);
                    pack.setPreReceiveHook((push, commands) -> repositories.refuseProtected(git, commands));
                    pack.receive(getInputStream(), getOutputStream(), getErrorStream());
                } else {
                    UploadPack upload = new UploadPack(git);
                    String protocol = getEnvironment().getEnv().get("GIT_PROTOCOL");
                    if (protocol != null) upload.setExtraParameters(List.of(protocol));
                    upload.upload(getInputStream(), getOutputStream(), getErrorStream());
                }
                onExit(0);
            } catch (IOException e) {
                onExit(1, e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
            }
        }
    }
}
