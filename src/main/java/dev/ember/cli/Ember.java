package dev.ember.cli;

import dev.ember.data.DatasetFormatException;
import dev.ember.job.JobConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.UncheckedIOException;

/** The {@code ember} command line: train, evaluate, predict, import, report. */
@Command(name = "ember", mixinStandardHelpOptions = true, version = "ember 0.1.0",
        description = "PyTorch-style deep learning in Java, trained data-parallel on Apache Spark.",
        subcommands = {TrainCommand.class, EvaluateCommand.class, PredictCommand.class, ImportCommand.class,
                ReportCommand.class})
public final class Ember implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(),
                "choose a command: train, evaluate, predict, import or report");
    }

    /** Expected failures (bad job files, datasets, paths) print one clear line instead of a stack trace. */
    static CommandLine commandLine() {
        return new CommandLine(new Ember()).setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof JobConfigException || e instanceof DatasetFormatException
                    || e instanceof IllegalArgumentException || e instanceof UncheckedIOException
                    || e instanceof IllegalStateException) {
                cmd.getErr().println("error: " + e.getMessage());
                return 1;
            }
            throw e;
        });
    }

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }
}
