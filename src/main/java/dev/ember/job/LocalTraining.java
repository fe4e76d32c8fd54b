package dev.ember.job;

import dev.ember.backend.Backends;
import dev.ember.core.Device;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageDataset;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.StratifiedSplit;
import dev.ember.data.Subset;
import dev.ember.io.Checkpoint;
import dev.ember.io.Json;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.loss.Loss;
import dev.ember.nn.Module;
import dev.ember.nn.functional.F;
import dev.ember.optim.LRScheduler;
import dev.ember.optim.Optimizer;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import dev.ember.train.FeatureCache;
import dev.ember.train.Evaluation;
import dev.ember.train.Trainer;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Runs a job in this process (engine = local): the same model, data pipelines, optimizer, run
 * directory and checkpoints as the Spark engine, without Spark. Checkpoints go to
 * {@code OUT/checkpoints/last.safetensors} after every epoch; {@code resume} continues from it.
 */
public final class LocalTraining {
    private LocalTraining() {
    }

    /** The datasets of a job: training, and validation (given, or a stratified split of training). */
    public record Datasets(ImageDataset train, ImageDataset validation) {
    }

    public static Datasets datasets(JobConfig job) {
        Datasets all = splitDatasets(job);
        int[] picked = trainSubset(job, labels(all.train()));
        return picked == null ? all : new Datasets(new Subset(all.train(), picked), all.validation());
    }

    /**
     * The positions that {@code train_subset} picks (stratified, seeded) among training images with
     * these labels, or null when it keeps them all; both engines choose the subset here.
     */
    public static int[] trainSubset(JobConfig job, int[] labels) {
        int subset = job.integer(JobKey.TRAIN_SUBSET);
        if (subset <= 0 || subset >= labels.length) {
            return null;
        }
        return StratifiedSplit.split(labels, (double) subset / labels.length, job.integer(JobKey.SEED)).validation();
    }

    /** Every image's label, in index order. */
    public static int[] labels(ImageDataset data) {
        int[] labels = new int[data.size()];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = data.label(i);
        }
        return labels;
    }

    private static Datasets splitDatasets(JobConfig job) {
        ImageDataset train = open(job, JobKey.TRAIN);
        if (!job.string(JobKey.VALIDATION).isEmpty()) {
            return new Datasets(train, open(job, JobKey.VALIDATION));
        }
        StratifiedSplit.Split split = StratifiedSplit.split(labels(train), job.number(JobKey.VALIDATION_SPLIT),
                job.integer(JobKey.SEED));
        return new Datasets(new Subset(train, split.train()), new Subset(train, split.validation()));
    }

    private static ImageDataset open(JobConfig job, JobKey key) {
        return ParquetImageDataset.open(datasetPath(job, key));
    }

    /**
     * The dataset path a job key names (a directory of Parquet files, or one file), failing with the
     * file, key and path when it does not exist. Both engines check datasets through it.
     */
    public static Path datasetPath(JobConfig job, JobKey key) {
        Path dir = Path.of(job.string(key));
        if (!Files.isDirectory(dir) && !Files.isRegularFile(dir)) {
            throw new JobConfigException(job.source() + ": " + key.key() + ": dataset directory " + dir
                    + " does not exist" + (dir.toString().contains("fashion") ? " (run data/get-fashion.sh first)" : ""));
        }
        return dir;
    }

    public static Loss loss(JobConfig job) {
        return new CrossEntropyLoss(F.Reduction.MEAN, job.number(JobKey.LABEL_SMOOTHING));
    }

    /**
     * The job's {@code device}, opened here: a CUDA device that cannot be used is an error naming it,
     * or with {@code gpu_fallback = true} one console line and the CPU.
     */
    static Device device(JobConfig job, PrintStream console) {
        Device wanted = Device.parse(job.string(JobKey.DEVICE));
        if (!wanted.isCuda()) {
            return wanted;
        }
        try {
            Backends.of(wanted);
            return wanted;
        } catch (RuntimeException | LinkageError e) {
            String why = "cannot use the GPU " + wanted + ": " + (e.getMessage() == null ? e.getClass().getSimpleName()
                    : e.getMessage());
            if (!job.flag(JobKey.GPU_FALLBACK)) {
                throw new JobConfigException(job.source() + ": device: " + why
                        + " (set gpu_fallback = true to run on the CPU instead)");
            }
            console.println("ember: " + why + "; gpu_fallback = true, running on the CPU");
            return Device.cpu();
        }
    }

    public static List<EpochMetrics> run(JobConfig job, RunWriter out, boolean resume, PrintStream console) {
        Generator.manualSeed(job.integer(JobKey.SEED));
        Datasets data = datasets(job);
        DataLoader train = Pipelines.train(job, data.train());
        DataLoader validation = Pipelines.validation(job, data.validation());
        int numClasses = job.integer(JobKey.NUM_CLASSES) > 0 ? job.integer(JobKey.NUM_CLASSES)
                : data.train().numClasses();
        Module model = Models.create(job, train.imageShape(), numClasses);
        Transfer.apply(job, model, console);
        Device device = device(job, console);
        model.to(device);
        Optimizer optimizer = Optimizers.create(job, model.trainableParameters());
        LRScheduler scheduler = Optimizers.scheduler(job, optimizer);
        Loss loss = loss(job);
        Path last = out.checkpoints().resolve("last.safetensors");
        int start = 0;
        if (resume) {
            if (!Files.exists(last)) {
                throw new JobConfigException("--resume: no checkpoint at " + last);
            }
            Checkpoint.Contents c = Checkpoint.read(last);
            Checkpoint.restore(c, model, optimizer);
            start = c.epoch();
            if (scheduler != null) {
                scheduler.setLastEpoch(start);
            }
            console.printf(Locale.ROOT, "resumed from %s at epoch %d%n", last, start);
        }
        out.start(job, start);
        console.printf(Locale.ROOT, "%s: %s, %d train / %d validation images of %s, %d classes, %d parameters%n",
                job.string(JobKey.NAME), job.string(JobKey.MODEL), data.train().size(), data.validation().size(),
                train.imageShape(), numClasses, model.parameters().stream().mapToInt(p -> p.numel()).sum());
        FeatureCache cache = FeatureCaching.compute(job, model, train, validation, device, console);
        int total = job.integer(JobKey.EPOCHS);
        long[] steps = {(long) start * train.batchesPerEpoch()};
        Trainer trainer = Trainer.builder(model, optimizer, loss, numClasses).device(device).epochs(total).startEpoch(start)
                .scheduler(scheduler).earlyStopping(job.integer(JobKey.EARLY_STOPPING)).featureCache(cache)
                .onEpoch(m -> {
                    steps[0] += train.batchesPerEpoch();
                    out.epoch(m);
                    Checkpoint.save(last, model, optimizer, m.epoch(), steps[0],
                            Map.of("job", Json.write(job.effective())));
                    console.printf(Locale.ROOT, "epoch %d/%d  %d steps  train loss %.4f  val loss %.4f  val acc %.2f%%"
                                    + "  %.0f img/s  %.1fs  eta %.0fs%n", m.epoch(), total, train.batchesPerEpoch(),
                            m.trainLoss(), m.valLoss(), 100 * m.valAccuracy(), m.imagesPerSec(), m.seconds(),
                            m.seconds() * (total - m.epoch()));
                })
                .build();
        List<EpochMetrics> history = trainer.fit(train, validation);
        Evaluation finalEval = trainer.evaluate(validation);
        out.finish(job, model, finalEval, data.train().classNames(), validation);
        console.printf(Locale.ROOT, "final validation: loss %.4f, accuracy %.2f%% (%d images); run directory %s%n",
                finalEval.loss(), 100 * finalEval.accuracy(), finalEval.count(), out.path());
        return history;
    }
}
