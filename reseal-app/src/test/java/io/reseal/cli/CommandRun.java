package io.reseal.cli;

import java.io.PrintWriter;
import java.io.StringWriter;

/** One run of the {@code reseal} command line in this JVM, with what it printed. */
public record CommandRun(int exitCode, String out, String err) {

    /** Runs {@code reseal args...} with Reseal's own error handling, capturing stdout and stderr. */
    public static CommandRun of(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        var commandLine = ResealCommand.commandLine();
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(err, true));
        int exitCode = commandLine.execute(args);
        return new CommandRun(exitCode, out.toString(), err.toString());
    }
}
