package dev.ember.data.bench;

import dev.ember.data.Batch;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageDataset;
import dev.ember.data.ImageEncoding;
import dev.ember.data.ImageRecord;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.ParquetImageWriter;
import dev.ember.data.Pixels;
import dev.ember.data.transforms.Normalize;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * Decode throughput on one thread: Parquet files to the in-memory uint8 store
 * ({@link ParquetImageDataset#open}), and the store to normalized NCHW float batches
 * ({@link DataLoader}, shuffled, batch 64, MNIST's Normalize). The images are the committed
 * 28x28 digits, repeated to {@code rows} rows, written once as RAW and once as PNG (ZSTD files).
 *
 * <p>"Per core" figures use the thread's CPU time (median of the runs), which stays meaningful on a
 * shared, loaded machine; "wall" figures use the best wall time. One warm-up run precedes each stage.
 *
 * <p>Usage, from the repository root: {@code DecodeBench [rows] [runs]} (defaults 64000 and 7).
 */
public final class DecodeBench {
    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private DecodeBench() {}

    /** One run of a stage: wall and this thread's CPU time, in nanoseconds. */
    private record Timing(long wallNanos, long cpuNanos) {}

    /** The summary of a stage's runs, in milliseconds. */
    private record Result(double cpuMs, double wallMs) {}

    @FunctionalInterface
    private interface Stage {
        void run();
    }

    public static void main(String[] args) throws IOException {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 64_000;
        int runs = args.length > 1 ? Integer.parseInt(args[1]) : 7;
        ImageDataset digits = ParquetImageDataset.open(Path.of("data", "digits", "train"));
        Path work = Files.createTempDirectory("ember-decode-bench");
        try {
            Path raw = write(digits, rows, work.resolve("raw"), false);
            Path png = write(digits, rows, work.resolve("png"), true);
            ImageDataset store = ParquetImageDataset.open(raw);
            DataLoader loader = DataLoader.builder(store).batchSize(64).shuffle(true).seed(1)
                    .transform(new Normalize(new float[] {0.1307f}, new float[] {0.3081f})).build();

            System.out.printf("DecodeBench: %,d images of 28x28x1, one thread, %d runs; %s %s; %d cores, load average %.1f%n%n",
                    rows, runs, System.getProperty("java.vm.name"), System.getProperty("java.version"),
                    Runtime.getRuntime().availableProcessors(), ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
            System.out.printf("%-44s %9s %16s %9s %14s%n", "stage", "CPU ms", "images/s/core", "wall ms", "images/s wall");
            Result rawOpen = measure("Parquet RAW -> uint8 store", rows, runs, () -> ParquetImageDataset.open(raw));
            Result pngOpen = measure("Parquet PNG -> uint8 store (ImageIO)", rows, runs, () -> ParquetImageDataset.open(png));
            Result batches = measure("uint8 store -> normalized float batches", rows, runs, () -> drain(loader));
            print("end to end RAW (Parquet -> batches)", rows, new Result(rawOpen.cpuMs() + batches.cpuMs(), rawOpen.wallMs() + batches.wallMs()));
            print("end to end PNG (Parquet -> batches)", rows, new Result(pngOpen.cpuMs() + batches.cpuMs(), pngOpen.wallMs() + batches.wallMs()));
            System.out.printf("%nParquet sizes: RAW %.1f MB, PNG %.1f MB%n", size(raw) / 1e6, size(png) / 1e6);
        } finally {
            deleteTree(work);
        }
    }

    private static Result measure(String name, int rows, int runs, Stage stage) {
        time(stage);
        Timing[] timings = new Timing[runs];
        for (int i = 0; i < runs; i++) {
            timings[i] = time(stage);
        }
        long[] cpu = Arrays.stream(timings).mapToLong(Timing::cpuNanos).sorted().toArray();
        long wall = Arrays.stream(timings).mapToLong(Timing::wallNanos).min().orElseThrow();
        Result result = new Result(cpu[runs / 2] / 1e6, wall / 1e6);
        print(name, rows, result);
        return result;
    }

    private static Timing time(Stage stage) {
        long cpu = THREADS.getCurrentThreadCpuTime();
        long wall = System.nanoTime();
        stage.run();
        return new Timing(System.nanoTime() - wall, THREADS.getCurrentThreadCpuTime() - cpu);
    }

    private static void print(String name, int rows, Result r) {
        System.out.printf("%-44s %9.1f %,16.0f %9.1f %,14.0f%n", name, r.cpuMs(), rows / (r.cpuMs() / 1e3), r.wallMs(),
                rows / (r.wallMs() / 1e3));
    }

    private static void drain(DataLoader loader) {
        double checksum = 0;
        for (Batch batch : loader.epoch(0)) {
            checksum += batch.images()[0];
        }
        if (Double.isNaN(checksum)) {
            throw new IllegalStateException("NaN in a batch");
        }
    }

    private static Path write(ImageDataset digits, int rows, Path dir, boolean png) {
        byte[] pixels = new byte[784];
        try (ParquetImageWriter writer = ParquetImageWriter.builder(dir, digits.classNames()).build()) {
            for (int i = 0; i < rows; i++) {
                int source = i % digits.size();
                digits.readPixels(source, pixels, 0);
                int label = digits.label(source);
                writer.write(png
                        ? ImageRecord.encoded(Pixels.encodePng(pixels, 28, 28, 1), ImageEncoding.PNG, 28, 28, 1, label)
                        : ImageRecord.raw(pixels.clone(), 28, 28, 1, label));
            }
            writer.commit();
        }
        return dir;
    }

    private static long size(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }

    private static void deleteTree(Path root) throws IOException {
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(p);
            }
        }
    }
}
