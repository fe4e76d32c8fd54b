package dev.ember.cli;

import dev.ember.data.importers.IdxImporter;
import dev.ember.data.importers.ImportTarget;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ember import idx IMAGES OUT --labels LABELS}: MNIST-style IDX files (optionally gzipped). */
@Command(name = "idx", mixinStandardHelpOptions = true,
        description = "Import an IDX image file (*-idx3-ubyte[.gz]) and its label file (*-idx1-ubyte[.gz]).")
public final class IdxImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "IMAGES", description = "The *-idx3-ubyte[.gz] image file.")
    Path images;

    @Parameters(index = "1", paramLabel = "OUT", description = TargetOptions.OUT_DESCRIPTION)
    Path out;

    @Mixin
    TargetOptions target;

    @Option(names = "--labels", required = true, paramLabel = "FILE", description = "The *-idx1-ubyte[.gz] label file.")
    Path labels;

    @Option(names = "--classes", paramLabel = "NAMES", defaultValue = "mnist",
            description = "Class names: mnist (0..9), fashion-mnist, or a comma-separated list. Default: ${DEFAULT-VALUE}.")
    String classes;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ImportTarget destination = target.target(out);
        TargetOptions.report(IdxImporter.importTo(images, labels, classNames(classes), destination), spec.commandLine().getOut());
        return 0;
    }

    static List<String> classNames(String spec) {
        return switch (spec) {
            case "mnist" -> IdxImporter.MNIST_CLASSES;
            case "fashion-mnist" -> IdxImporter.FASHION_MNIST_CLASSES;
            default -> Arrays.stream(spec.split(",")).map(String::trim).toList();
        };
    }
}
