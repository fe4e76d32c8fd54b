package dev.ember.cli;

import dev.ember.data.DatasetInfo;
import dev.ember.data.importers.ImportTarget;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Option;

/** The destination options every import subcommand shares (OUT itself is each command's second parameter). */
final class TargetOptions {
    static final String OUT_DESCRIPTION = "Dataset directory to create (with train/ and val/ when --val-fraction is set).";

    @Option(names = "--overwrite", description = "Replace OUT if it exists.")
    boolean overwrite;

    @Option(names = "--val-fraction", paramLabel = "F", defaultValue = "0",
            description = "Hold out this fraction of every class in OUT/val (stratified), the rest in OUT/train. Default: ${DEFAULT-VALUE} (one dataset).")
    double valFraction;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the split and the row order. Default: ${DEFAULT-VALUE}.")
    long seed;

    ImportTarget target(Path out) {
        return new ImportTarget(out, overwrite, valFraction, seed);
    }

    static void report(List<DatasetInfo> written, PrintWriter out) {
        for (DatasetInfo info : written) {
            out.printf("wrote %s: %d images, %d classes, %d file(s)%n", info.directory(), info.rows(),
                    info.classNames().size(), info.files().size());
        }
    }
}
