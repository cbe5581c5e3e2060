package io.reseal.cli.evidence;

import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * A {@code command} issuer whose program is a script of the test's, a user's issuer as the sealer sees one: its
 * "server" is a directory, {@code keys/<version>} holding the SHA-256 of each valid token (one field,
 * {@code token}); create names the key after the rotation and replaces it when run again, finish deletes the
 * revoked one. A file {@code hold-<step>} holds the program in that step once its effect is done, before it
 * answers, until the file is gone; {@code held-<step>} says it got there. The program never prints a token but on
 * stdout to the sealer.
 */
final class ScriptIssuer implements CrashSubject {

    private static final String SCRIPT = """
            #!/bin/bash
            # The issuer program of IssuerCrashIT (see ScriptIssuer): keys in $STORE/keys, holds by $STORE/hold-<step>.
            set -eu
            input=$(cat)
            step=$(jq -r .step <<<"$input")
            answer=""
            case "$step" in
              create)
                version="k-$(jq -r .rotationId <<<"$input")"
                token=$(head -c 24 /dev/urandom | base64 | tr -d '/+=')
                printf '%s' "$token" | sha256sum | cut -d' ' -f1 > "$STORE/keys/$version.tmp"
                mv "$STORE/keys/$version.tmp" "$STORE/keys/$version"
                answer=$(jq -n --arg v "$version" --arg t "$token" '{version: $v, fields: {token: $t}}') ;;
              test)
                version=$(jq -r .version <<<"$input")
                [ "$(cat "$STORE/keys/$version" 2>/dev/null)" = "$(jq -j .fields.token <<<"$input" | sha256sum | cut -d' ' -f1)" ] ;;
              discard) rm -f "$STORE/keys/$(jq -r .version <<<"$input")" ;;
              finish) rm -f "$STORE/keys/$(jq -r .revoke <<<"$input")" ;;
              *) exit 2 ;;
            esac
            if [ -e "$STORE/hold-$step" ]; then
              touch "$STORE/held-$step"
              while [ -e "$STORE/hold-$step" ]; do sleep 0.1; done
            fi
            [ -z "$answer" ] || printf '%s\\n' "$answer"
            """;

    private final String name;
    private final Path store;
    private final Path program;

    /** @param dir a directory of its own, for the program and its keys */
    ScriptIssuer(String name, Path dir) {
        this.name = name;
        this.store = dir;
        this.program = dir.resolve("issuer.sh");
        try {
            Files.createDirectories(dir.resolve("keys"));
            Files.writeString(program, SCRIPT);
            Files.setPosixFilePermissions(program, PosixFilePermissions.fromString("rwx------"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public String issuer() {
        return name;
    }

    @Override
    public String issuerEntry(EvidenceStack stack) {
        return """
                - name: %s
                  command:
                    run: ["%s"]
                    fields: [token]
                    environment: {STORE: {literal: "%s"}}
                """.formatted(name, program.toAbsolutePath(), store.toAbsolutePath());
    }

    @Override
    public Map<String, String> keys() {
        return Map.of(name.toUpperCase(Locale.ROOT).replace('-', '_') + "_TOKEN", "token");
    }

    @Override
    public void prepare(EvidenceStack stack) {
        // the directory is the whole server
    }

    @Override
    public Hold holdTest() throws IOException {
        return hold("test");
    }

    @Override
    public Hold holdFinish() throws IOException {
        return hold("finish");
    }

    /** Holds the sealer in the next create step of this issuer, the key made but not handed to the sealer. */
    Hold holdCreate() throws IOException {
        return hold("create");
    }

    private Hold hold(String step) throws IOException {
        Path hold = store.resolve("hold-" + step);
        Path held = store.resolve("held-" + step);
        Files.deleteIfExists(held);
        Files.createFile(hold);
        return new Hold() {
            @Override
            public void awaitHeld() {
                await().atMost(Duration.ofSeconds(60)).until(() -> Files.exists(held));
            }

            @Override
            public void close() throws IOException {
                Files.deleteIfExists(hold);
            }
        };
    }

    /** The keys with their SHA-256 (a fingerprint of a random token, not the token). */
    @Override
    public Map<String, String> accepted() throws IOException {
        Map<String, String> keys = new TreeMap<>();
        try (Stream<Path> files = Files.list(store.resolve("keys"))) {
            for (Path file : files.filter(f -> !f.toString().endsWith(".tmp")).toList()) {
                keys.put(file.getFileName().toString(), Files.readString(file).strip());
            }
        }
        return keys;
    }

    @Override
    public boolean logsIn(Map<String, String> delivered) throws IOException {
        String token = delivered.get(keys().keySet().iterator().next());
        return accepted().containsValue(sha256(token));
    }

    private static String sha256(String value) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
