package io.reseal.sealer.issuer;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.reseal.pipeline.event.ErrorCode;
import io.reseal.pipeline.event.IssuedVersions;
import io.reseal.pipeline.stage.PermanentStageException;
import io.reseal.pipeline.stage.RetriableStageException;
import io.reseal.sealer.secret.SecretValue;
import io.reseal.sealer.values.ValueResolver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * An issuer that runs a program of the user's once per step, with a JSON object on stdin and (for create) one on
 * stdout:
 * <ul>
 *   <li>create: {@code {"step":"create","issuer","rotationId","current"}} -> {@code {"version","fields":{...}}};
 *       {@code version} is a non-secret identifier (it travels on events). A re-run for the same rotation must not
 *       leave two pending credentials (name the credential after {@code rotationId}, replace it if it exists);</li>
 *   <li>test: {@code {"step":"test","issuer","version","fields":{...}}}: log in with it, exit 0 if it works;</li>
 *   <li>discard: {@code {"step":"discard","issuer","version"}}: remove the pending credential;</li>
 *   <li>finish: {@code {"step":"finish","issuer","revoke","keep"}}: revoke {@code revoke}, keep {@code keep}.</li>
 * </ul>
 * Exit 0 is success, 75 ({@code EX_TEMPFAIL}) a failure worth retrying, anything else a permanent one. A step that
 * outlives {@code timeout} is killed and retried. The program's stderr is never logged or put in a message (it may
 * hold secrets): only its size is. Its environment holds {@code PATH}, {@code HOME}, {@code LANG} and the configured
 * variables, nothing else of the sealer's. Every step is idempotent only as far as the program is.
 */
public final class CommandIssuer implements Issuer {

    /** The exit code that asks for a retry ({@code EX_TEMPFAIL} of sysexits.h). */
    public static final int RETRY = 75;
    private static final int MAX_OUTPUT = 1 << 20;
    private static final Pattern VERSION = Pattern.compile("[\\x21-\\x7e]{1,200}");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final CommandIssuerConfig config;
    private final ValueResolver values;

    public CommandIssuer(CommandIssuerConfig config, ValueResolver values) {
        this.config = config;
        this.values = values;
    }

    @Override
    public Pending create(String rotationId, String current) throws RetriableStageException, PermanentStageException {
        ObjectNode input = input("create").put("rotationId", rotationId).put("current", current);
        byte[] output = run("create", input, false);
        try {
            JsonNode answer;
            try {
                answer = JSON.readTree(output);
            } catch (IOException e) {
                throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("create") + " printed something that is not JSON");
            }
            String version = answer.path("version").asText(null);
            if (version == null || !VERSION.matcher(version).matches()) {
                throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("create")
                        + " printed no valid \"version\" (1-200 printable ASCII characters)");
            }
            Map<String, SecretValue> fields = new LinkedHashMap<>();
            for (String field : config.command().fields()) {
                JsonNode value = answer.path("fields").path(field);
                if (!value.isTextual()) {
                    fields.values().forEach(SecretValue::destroy);
                    throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what("create") + " printed no string field \""
                            + field + "\"");
                }
                fields.put(field, SecretValue.ofUtf8(value.asText()));
            }
            return new Pending(new Credential(version, fields), new IssuedVersions(config.name(), "command", current, version));
        } finally {
            Arrays.fill(output, (byte) 0);
        }
    }

    @Override
    public void test(Pending pending) throws RetriableStageException, PermanentStageException {
        ObjectNode input = input("test").put("version", pending.versions().pending());
        ObjectNode fields = input.putObject("fields");
        for (String field : pending.credential().fieldNames()) {
            fields.put(field, new String(pending.credential().field(field).bytes(), StandardCharsets.UTF_8));
        }
        run("test", input, true);
    }

    @Override
    public void discard(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        run("discard", input("discard").put("version", versions.pending()), false);
    }

    @Override
    public void revokePrevious(IssuedVersions versions) throws RetriableStageException, PermanentStageException {
        if (versions.current() == null || versions.current().equals(versions.pending())) return;
        run("finish", input("finish").put("revoke", versions.current()).put("keep", versions.pending()), false);
    }

    private ObjectNode input(String step) {
        return JSON.createObjectNode().put("step", step).put("issuer", config.name());
    }

    private String what(String step) {
        return "issuer " + config.name() + ", " + step + ": " + config.command().run().get(0);
    }

    /** Runs one step; returns its stdout (the caller wipes it). */
    private byte[] run(String step, ObjectNode input, boolean isTest) throws RetriableStageException, PermanentStageException {
        ProcessBuilder builder = new ProcessBuilder(config.command().run());
        Map<String, String> environment = builder.environment();
        Map<String, String> inherited = Map.copyOf(environment);
        environment.clear();
        for (String name : List.of("PATH", "HOME", "LANG")) {
            if (inherited.containsKey(name)) environment.put(name, inherited.get(name));
        }
        for (var variable : config.command().environment().entrySet()) {
            SecretValue value = values.resolve(what(step) + ", variable " + variable.getKey(), variable.getValue());
            environment.put(variable.getKey(), new String(value.bytes(), StandardCharsets.UTF_8));
            value.destroy();
        }
        byte[] stdin;
        try {
            stdin = JSON.writeValueAsBytes(input);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            throw new PermanentStageException(ErrorCode.ISSUER_FAILED, what(step) + " cannot be started (" + e.getMessage() + ")");
        }
        CompletableFuture<byte[]> stdout = CompletableFuture.supplyAsync(() -> readLimited(process.getInputStream()));
        CompletableFuture<byte[]> stderr = CompletableFuture.supplyAsync(() -> readLimited(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(stdin);
        } catch (IOException e) {
            // the program did not read its input; its exit code says what happened
        } finally {
            Arrays.fill(stdin, (byte) 0);
        }
        try {
            if (!process.waitFor(config.command().timeout().toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what(step) + " did not finish within "
                        + config.command().timeout() + " and was killed", null);
            }
            byte[] err = stderr.get(10, TimeUnit.SECONDS);
            String stderrNote = err.length == 0 ? "no stderr" : "stderr: " + err.length + " bytes, not shown: it may hold secrets";
            Arrays.fill(err, (byte) 0);
            int exit = process.exitValue();
            if (exit == 0) return stdout.get(10, TimeUnit.SECONDS);
            wipe(stdout);
            String message = what(step) + " exited with " + exit + " (" + stderrNote + ")";
            if (exit == RETRY) throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, message, null);
            throw new PermanentStageException(isTest ? "issuer-test-failed" : "issuer-failed", message);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what(step) + " was interrupted", e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            throw new RetriableStageException(ErrorCode.ISSUER_UNAVAILABLE, what(step) + ": its output could not be read", null);
        }
    }

    private static void wipe(CompletableFuture<byte[]> output) {
        output.thenAccept(bytes -> Arrays.fill(bytes, (byte) 0));
    }

    private static byte[] readLimited(InputStream stream) {
        try (stream) {
            byte[] bytes = stream.readNBytes(MAX_OUTPUT);
            stream.transferTo(OutputStream.nullOutputStream());
            return bytes;
        } catch (IOException e) {
            return new byte[0];
        }
    }
}
