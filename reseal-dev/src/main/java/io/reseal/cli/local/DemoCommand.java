package io.reseal.cli.local;

import io.reseal.cli.UserFacingException;
import io.reseal.producer.cli.RotateClient;
import io.reseal.producer.status.RotationStatus;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import picocli.CommandLine.Command;

/**
 * {@code reseal demo}: the whole pipeline on embedded servers, one sample rotation ({@code financial-ml},
 * {@code dev,production}) through the real API, Kafka, S3 and SMTP, its database login made and tested at a real
 * PostgreSQL server; prints the link, the package's files, what the issuer did, and where the e-mail was saved, then
 * stops everything.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Run one sample rotation on embedded Kafka, S3 and SMTP, print the result, and exit.")
public final class DemoCommand implements Callable<Integer> {

    static final String WORKFLOW = "financial-ml";
    static final List<String> ENVIRONMENTS = List.of("dev", "production");
    static final String REQUESTOR = "financial-team@example.com";

    @Override
    public Integer call() throws Exception {
        return run(LocalCommand.dataDir(), System.out);
    }

    /** Runs the demo with its data under {@code data}; returns the exit code. */
    public static int run(Path data, PrintStream out) throws Exception {
        out.println("Starting embedded Kafka, S3, SMTP and PostgreSQL and the four services (data in " + data + ") ...");
        try (LocalStack stack = LocalStack.start(data, new LocalStack.Ports(0, 0, 9000, 0, 0), null,
                name -> name.equals("RESEAL_API_TOKEN") ? null : System.getenv(name), Clock.systemUTC())) {
            RotateClient client = new RotateClient(stack.apiUrl(), stack.apiToken(), Duration.ofMillis(200));
            String rotationId = client.rotate(WORKFLOW, ENVIRONMENTS, REQUESTOR, List.of(), "reseal demo");
            out.println("Requested rotation " + rotationId + " of " + WORKFLOW + " (" + String.join(", ", ENVIRONMENTS) + ")");
            RotationStatus status = client.waitFor(rotationId, Duration.ofMinutes(3));
            if (!"notified".equals(status.stage())) {
                out.println(RotateClient.render(status));
                throw new UserFacingException("the demo rotation ended in stage '" + status.stage() + "'");
            }
            String url = status.link().downloadUrl();
            out.println();
            out.println("Rotation " + rotationId + ": requested -> sealed -> packaged -> notified");
            out.println();
            out.println("Download URL (valid until " + status.link().expiresAt() + "; S3 data kept in " + data.resolve("s3")
                    + ", served again by ./reseal local):");
            out.println("  " + url);
            out.println("SHA-256: " + status.link().sha256());
            if (status.issuers() != null) {
                out.println();
                for (RotationStatus.IssuerPhase issuer : status.issuers()) {
                    out.println("Issuer " + issuer.issuer() + " (" + issuer.strategy() + "): made " + issuer.pending()
                            + " at the source and tested it (logged in) before sealing.");
                    out.println("  " + (issuer.current() != null
                            ? "The previous login " + issuer.current() + " stays valid until ./reseal finish " + rotationId + "."
                            : "There was no previous login; from the next rotation on, the previous one stays valid until"
                                    + " ./reseal finish <rotation-id>."));
                }
            }
            out.println();
            out.println("Package contents:");
            for (String file : files(URI.create(url))) {
                out.println("  " + file);
            }
            out.println();
            Optional<Path> mail = Optional.ofNullable(stack.mailDir()).flatMap(dir -> mailOf(dir, rotationId, REQUESTOR));
            out.println("E-mail to " + REQUESTOR + " saved as: " + mail.map(Path::toString).orElse("(sent to the configured SMTP server)"));
            out.println("Package signing public key: " + data.resolve("signing").resolve("package-signing.pub.pem"));
            return 0;
        }
    }

    /** The archive's entries, downloaded through the presigned link like a recipient would. */
    static List<String> files(URI link) throws IOException, InterruptedException {
        HttpResponse<InputStream> response = HttpClient.newHttpClient()
                .send(HttpRequest.newBuilder(link).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        if (response.statusCode() != 200) {
            throw new UserFacingException("the download link answered HTTP " + response.statusCode());
        }
        List<String> files = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(response.body()))) {
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                if (!entry.isDirectory()) files.add(entry.getName());
            }
        }
        return files;
    }

    /** The saved copy for {@code recipient} of the e-mail whose Message-ID names the rotation. */
    static Optional<Path> mailOf(Path mailDir, String rotationId, String recipient) {
        if (!Files.isDirectory(mailDir)) return Optional.empty();
        try (Stream<Path> files = Files.walk(mailDir)) {
            return files.filter(p -> p.getFileName().toString().endsWith("-" + recipient + ".eml"))
                    .filter(p -> {
                        try {
                            return Files.readString(p, java.nio.charset.StandardCharsets.ISO_8859_1).contains(rotationId);
                        } catch (IOException e) {
                            return false;
                        }
                    })
                    .findFirst();
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
