package io.reseal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import picocli.CommandLine;

/** One run of the {@code reseal} command line in this JVM, with what it printed. */
public record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code reseal args...} with Reseal's own error handling, capturing stdout and stderr. */
    public static CommandRun of(String... args) {
        return of(ResealCommand.commandLine(), args);
    }

    /** Runs {@code commandLine} (for instance the dev jar's command) with {@code args}, capturing stdout and stderr. */
    public static CommandRun of(CommandLine commandLine, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
