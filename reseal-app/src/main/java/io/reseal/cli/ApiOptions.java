package io.reseal.cli;

import io.reseal.producer.cli.RotateClient;
import java.net.URI;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The options of every command that talks to the producer's API: where it is, and the token to show it. */
final class ApiOptions {

    @Option(names = "--api", description = "API base URL (default ${DEFAULT-VALUE})", defaultValue = "http://localhost:8080")
    URI api;

    @Option(names = "--token", description = "API token (default: $RESEAL_API_TOKEN)")
    String token;

    /** A client of the API; {@code poll} is how often it asks while it follows a rotation. */
    RotateClient client(Duration poll) {
        return new RotateClient(api, Tokens.required(token), poll);
    }
}
