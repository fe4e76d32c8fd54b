package dev.ember.bench;

import dev.ember.backend.Backend;
import dev.ember.backend.Backends;
import dev.ember.backend.cuda.CudaBackend;
import dev.ember.core.Device;
import dev.ember.data.DataLoader;
import dev.ember.data.ImageDataset;
import dev.ember.data.ImageShape;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.transforms.Normalize;
import dev.ember.loss.CrossEntropyLoss;
import dev.ember.loss.Loss;
import dev.ember.models.LeNet5;
import dev.ember.models.MLP;
import dev.ember.nn.Module;
import dev.ember.optim.AdamW;
import dev.ember.optim.Optimizer;
import dev.ember.optim.SGD;
import dev.ember.tensor.Tensor;
import dev.ember.tensor.random.Generator;
import dev.ember.train.EpochMetrics;
import dev.ember.train.Trainer;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * Trains the digits MLP and LeNet-5 on a device (the GPU check's training part) and times training
 * steps at batch 64 and 512. The GPU machine carries no Parquet jars, so the digits travel as raw
 * gzipped files made here by {@code export}: a big-endian int count, then per image one label byte
 * and 784 pixel bytes.
 * <pre>
 * DigitsOnDevice export data/digits OUT_DIR       (here: writes OUT_DIR/train.u8.gz and val.u8.gz)
 * DigitsOnDevice train OUT_DIR cuda EPOCHS        (there: trains both models, prints BENCH lines)
 * DigitsOnDevice profile cuda                     (there: each Backend call's share of a batch-512 step)
 * </pre>
 */
public final class DigitsOnDevice {
    private static final int PIXELS = 28 * 28;

    private DigitsOnDevice() {
    }

    public static void main(String[] args) throws IOException {
        if (args.length >= 3 && args[0].equals("export")) {
            Path out = Path.of(args[2]);
            Files.createDirectories(out);
            export(ParquetImageDataset.open(Path.of(args[1], "train")), out.resolve("train.u8.gz"));
            export(ParquetImageDataset.open(Path.of(args[1], "val")), out.resolve("val.u8.gz"));
        } else if (args.length >= 4 && args[0].equals("train")) {
            train(Path.of(args[1]), Device.parse(args[2]), Integer.parseInt(args[3]));
        } else if (args.length >= 2 && args[0].equals("profile")) {
            profile(Device.parse(args[1]));
        } else {
            System.err.println("usage: DigitsOnDevice export DIGITS_DIR OUT_DIR | train RAW_DIR DEVICE EPOCHS | profile DEVICE");
            System.exit(2);
        }
    }

    private static void export(ImageDataset data, Path file) throws IOException {
        try (DataOutputStream out = new DataOutputStream(new GZIPOutputStream(Files.newOutputStream(file)))) {
            out.writeInt(data.size());
            byte[] pixels = new byte[PIXELS];
            for (int i = 0; i < data.size(); i++) {
                data.readPixels(i, pixels, 0);
                out.writeByte(data.label(i));
                out.write(pixels);
            }
        }
    }

    /** A raw digits file as a dataset. */
    private record RawDigits(byte[] pixels, int[] labels) implements ImageDataset {
        static RawDigits read(Path file) {
            try (DataInputStream in = new DataInputStream(new GZIPInputStream(Files.newInputStream(file)))) {
                int n = in.readInt();
                byte[] pixels = new byte[n * PIXELS];
                int[] labels = new int[n];
                for (int i = 0; i < n; i++) {
                    labels[i] = in.readUnsignedByte();
                    in.readFully(pixels, i * PIXELS, PIXELS);
                }
                return new RawDigits(pixels, labels);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read raw digits " + file, e);
            }
        }

        @Override
        public int size() {
            return labels.length;
        }

        @Override
        public List<String> classNames() {
            return List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        }

        @Override
        public int label(int index) {
            return labels[index];
        }

        @Override
        public ImageShape shape(int index) {
            return new ImageShape(1, 28, 28);
        }

        @Override
        public void readImage(int index, float[] dst, int dstOffset) {
            for (int i = 0; i < PIXELS; i++) {
                dst[dstOffset + i] = (pixels[index * PIXELS + i] & 0xff) / 255f;
            }
        }

        @Override
        public void readPixels(int index, byte[] dst, int dstOffset) {
            System.arraycopy(pixels, index * PIXELS, dst, dstOffset, PIXELS);
        }
    }

    private static DataLoader loader(ImageDataset data, boolean shuffle) {
        return DataLoader.builder(data).batchSize(64).shuffle(shuffle).seed(0)
                .transform(new Normalize(new float[] {0.1307f}, new float[] {0.3081f})).build();
    }

    private static void train(Path dir, Device device, int epochs) {
        RawDigits train = RawDigits.read(dir.resolve("train.u8.gz"));
        RawDigits val = RawDigits.read(dir.resolve("val.u8.gz"));
        for (String name : List.of("mlp", "lenet5")) {
            Generator.manualSeed(0);
            Module model = name.equals("mlp") ? new MLP(784, 256, 10) : LeNet5.mnist();
            model.to(device);
            Optimizer opt = SGD.builder(model.parameters(), 0.05).momentum(0.9).build();
            Trainer trainer = Trainer.builder(model, opt, new CrossEntropyLoss(), 10).epochs(epochs).device(device)
                    .onEpoch(m -> System.out.printf(Locale.ROOT, "%s epoch %d: train loss %.4f, val acc %.2f%%, %.0f img/s%n",
                            name, m.epoch(), m.trainLoss(), 100 * m.valAccuracy(), m.imagesPerSec()))
                    .build();
            List<EpochMetrics> h = trainer.fit(loader(train, true), loader(val, false));
            EpochMetrics last = h.get(h.size() - 1);
            System.out.printf(Locale.ROOT, "BENCH digits_%s_val_acc_%depochs %.4f acc%n", name, epochs, last.valAccuracy());
            for (int batch : new int[] {64, 512}) {
                System.out.printf(Locale.ROOT, "BENCH train_%s_bs%d %.1f img/s%n", name, batch,
                        stepsPerSecond(name, device, batch, false) * batch);
            }
            System.out.printf(Locale.ROOT, "BENCH train_%s_adamw_bs512 %.1f img/s%n", name,
                    stepsPerSecond(name, device, 512, true) * 512);
        }
    }

    /**
     * One training step of a model on a fixed random batch, with SGD (momentum 0.9) or AdamW;
     * {@code waitAfter} also reads the loss back.
     */
    private record Step(Runnable run, Runnable waitAfter) {
        static Step of(String name, Device device, int batch, boolean adamw) {
            Module model = (name.equals("mlp") ? new MLP(784, 256, 10) : LeNet5.mnist()).to(device);
            Tensor x = Tensor.randn(batch, 1, 28, 28).to(device);
            Tensor y = Tensor.randint(0, 10, batch).to(device);
            Loss loss = new CrossEntropyLoss();
            Optimizer opt = adamw ? new AdamW(model.parameters(), 1e-3, 0.9, 0.999, 1e-8, 1e-2)
                    : SGD.builder(model.parameters(), 0.01).momentum(0.9).build();
            Runnable run = () -> {
                opt.zeroGrad();
                loss.apply(model.forward(x), y).backward();
                opt.step();
            };
            return new Step(run, () -> {
                run.run();
                loss.apply(model.forward(x), y).item(); // a host read waits for the queued kernels
            });
        }
    }

    /** Training steps per second on random data, the same step as TrainStepBench. */
    private static double stepsPerSecond(String name, Device device, int batch, boolean adamw) {
        Step step = Step.of(name, device, batch, adamw);
        int reps = Timer.calibrate(step.waitAfter(), 0.3);
        return reps / Timer.median(Timer.repeat(step.run(), reps), 2, 3);
    }

    /** Each Backend call's time per batch-512 step of both models, the device waited for around every call. */
    private static void profile(Device device) {
        Backend backend = Backends.of(device);
        Runnable waitForDevice = backend instanceof CudaBackend cuda ? cuda::synchronize : () -> { };
        BackendProfile profile = BackendProfile.wrap(backend, waitForDevice);
        Backends.instrument(device, b -> profile.proxy());
        int steps = 20;
        for (String name : List.of("lenet5", "mlp")) {
            Step step = Step.of(name, device, 512, false);
            Timer.calibrate(step.waitAfter(), 0.1);
            profile.record(true);
            for (int i = 0; i < steps; i++) {
                step.run().run();
            }
            profile.record(false);
            profile.print(name + "_bs512", steps);
            profile.reset();
        }
    }
}
