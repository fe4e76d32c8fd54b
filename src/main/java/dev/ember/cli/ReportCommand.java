package dev.ember.cli;

import dev.ember.report.ReportWriter;
import dev.ember.report.RunFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code ember report RUN_DIR}: writes RUN_DIR/report.html from the files a training run left there. */
@Command(name = "report", mixinStandardHelpOptions = true,
        description = {"Writes a self-contained report.html (settings, curves, confusion matrix, example "
                + "predictions) into a training run directory.", "See docs/run-directory.md for the files it reads."},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {"0:report written", "1:the run directory lacks a file or holds a malformed one",
                "2:bad command line"})
public final class ReportCommand implements Callable<Integer> {
    static final int BAD_RUN_DIRECTORY = 1;

    @Parameters(paramLabel = "RUN_DIR", description = "the training run's directory")
    Path runDir;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        try {
            Path report = ReportWriter.write(runDir);
            spec.commandLine().getOut().println("wrote " + report);
            return CommandLine.ExitCode.OK;
        } catch (RunFileException e) {
            spec.commandLine().getErr().println("ember report: " + e.getMessage());
            return BAD_RUN_DIRECTORY;
        }
    }

    /** Runs the command on its own until the top-level {@code ember} command registers it. */
    public static void main(String[] args) {
        System.exit(new CommandLine(new ReportCommand()).execute(args));
    }
}
