package dev.ember.cli;

import dev.ember.data.DatasetFormatException;
import java.io.UncheckedIOException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code ember import}: converts image datasets to Ember's Parquet format. The top-level
 * {@code ember} command registers it as a subcommand; {@link #main} runs it on its own.
 */
@Command(name = "import",
        description = "Convert an image dataset to Ember's Parquet format (see docs/dataset-format.md).",
        mixinStandardHelpOptions = true,
        subcommands = {IdxImportCommand.class, FolderImportCommand.class, MnistJsonImportCommand.class})
public final class ImportCommand implements Runnable {
    @CommandLine.Spec
    private CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "choose a format: idx, folder or mnist-json");
    }

    /** A command line for {@code import} whose bad-input errors print as one message, not a stack trace. */
    public static CommandLine commandLine() {
        return new CommandLine(new ImportCommand()).setExecutionExceptionHandler((e, cmd, parseResult) -> {
            if (e instanceof DatasetFormatException || e instanceof IllegalArgumentException || e instanceof UncheckedIOException) {
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
