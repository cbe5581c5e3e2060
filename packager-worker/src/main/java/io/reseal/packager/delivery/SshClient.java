package io.reseal.packager.delivery;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PublicKey;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.eclipse.jgit.api.TransportConfigCallback;
import org.eclipse.jgit.transport.CredentialsProvider;
import org.eclipse.jgit.transport.SshTransport;
import org.eclipse.jgit.transport.Transport;
import org.eclipse.jgit.transport.sshd.ServerKeyDatabase;
import org.eclipse.jgit.transport.sshd.SshdSessionFactory;
import org.eclipse.jgit.transport.sshd.SshdSessionFactoryBuilder;

/**
 * The SSH client of one delivery (JGit's Apache MINA sshd transport), set on each of its transports. It logs in with
 * the configured private key alone, held in memory, and accepts only the server keys {@link SshHostKeys} accepts.
 * Nothing of the machine's SSH set-up is read: home and {@code .ssh} are an empty temporary folder (removed by
 * {@link #close()}), there is no {@code ssh_config}, no {@code known_hosts} file, no default identity file and no
 * SSH agent. Used by one delivery at a time.
 */
final class SshClient implements TransportConfigCallback, AutoCloseable {

    private final Path home;
    private final SshHostKeys hostKeys;
    private final SshdSessionFactory sessions;
    private volatile String refusedHostKey;

    SshClient(List<KeyPair> keys, SshHostKeys hostKeys) {
        this.hostKeys = hostKeys;
        try {
            home = Files.createTempDirectory("reseal-ssh-");
            Path sshDirectory = Files.createDirectory(home.resolve(".ssh"));
            sessions = new SshdSessionFactoryBuilder()
                    .setHomeDirectory(home.toFile())
                    .setSshDirectory(sshDirectory.toFile())
                    .setConfigStoreFactory((homeDirectory, configFile, localUser) -> null)
                    .setDefaultKnownHostsFiles(directory -> List.of())
                    .setDefaultIdentities(directory -> List.of())
                    .setDefaultKeysProvider(directory -> keys)
                    .setServerKeyDatabase((homeDirectory, directory) -> new ConfiguredHostKeys())
                    .setPreferredAuthentications("publickey")
                    .setConnectorFactory(null)
                    .build(null);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a folder for the SSH client", e);
        }
    }

    @Override
    public void configure(Transport transport) {
        if (transport instanceof SshTransport ssh) ssh.setSshSessionFactory(sessions);
    }

    /** The fingerprint of a host key the server showed and this client refused; {@code null} if none was. */
    String refusedHostKey() {
        return refusedHostKey;
    }

    /** What the refused key was checked against, for messages. */
    String checkedAgainst() {
        return hostKeys.checkedAgainst();
    }

    @Override
    public void close() {
        sessions.close();
        GitRepositoryDelivery.delete(home);
    }

    private final class ConfiguredHostKeys implements ServerKeyDatabase {
        @Override
        public List<PublicKey> lookup(String connectAddress, InetSocketAddress remoteAddress, Configuration config) {
            return hostKeys.known();
        }

        @Override
        public boolean accept(String connectAddress, InetSocketAddress remoteAddress, PublicKey serverKey,
                              Configuration config, CredentialsProvider provider) {
            if (hostKeys.accepts(serverKey)) return true;
            refusedHostKey = KeyUtils.getFingerPrint(serverKey);
            return false;
        }
    }
}
