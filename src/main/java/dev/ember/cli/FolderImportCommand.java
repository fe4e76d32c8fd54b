package dev.ember.cli;

import dev.ember.data.importers.ImageFolderImporter;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code ember import folder ROOT OUT}: torchvision's ImageFolder layout, root/&lt;class&gt;/*.png|jpg|jpeg. */
@Command(name = "folder", mixinStandardHelpOptions = true,
        description = "Import an ImageFolder tree: ROOT/<class>/**/*.png|jpg|jpeg, classes sorted by name.")
public final class FolderImportCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "ROOT", description = "The folder holding one sub-directory per class.")
    Path root;

    @Parameters(index = "1", paramLabel = "OUT", description = TargetOptions.OUT_DESCRIPTION)
    Path out;

    @Mixin
    TargetOptions target;

    @Option(names = "--resize", paramLabel = "HxW", description = "Resize every image to H x W pixels (bilinear), e.g. 32x32.")
    String resize;

    @Option(names = "--grayscale", description = "Store 1 grey channel instead of RGB.")
    boolean grayscale;

    @Option(names = "--storage", paramLabel = "HOW", defaultValue = "raw", description = "raw (default), png, or keep (original files; no --resize).")
    String storage;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        ImageFolderImporter.Builder builder = ImageFolderImporter.builder(root)
                .grayscale(grayscale)
                .storage(parseStorage(storage));
        if (resize != null) {
            int[] size = parseSize(resize);
            builder.resize(size[0], size[1]);
        }
        TargetOptions.report(builder.build().importTo(target.target(out)), spec.commandLine().getOut());
        return 0;
    }

    static ImageFolderImporter.Storage parseStorage(String text) {
        for (ImageFolderImporter.Storage how : ImageFolderImporter.Storage.values()) {
            if (how.name().equalsIgnoreCase(text)) {
                return how;
            }
        }
        throw new IllegalArgumentException("--storage expects raw, png or keep, got '" + text + "'");
    }

    static int[] parseSize(String text) {
        String[] parts = text.toLowerCase(Locale.ROOT).split("x");
        try {
            if (parts.length == 2) {
                return new int[] {Integer.parseInt(parts[0].trim()), Integer.parseInt(parts[1].trim())};
            }
        } catch (NumberFormatException e) {
            // Reported below with the expected form.
        }
        throw new IllegalArgumentException("--resize expects HxW, e.g. 32x32, got '" + text + "'");
    }
}
