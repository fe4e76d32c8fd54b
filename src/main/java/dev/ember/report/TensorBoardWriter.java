package dev.ember.report;

import dev.ember.train.EpochMetrics;

import java.awt.image.BufferedImage;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Writes a TensorBoard event file ({@code events.out.tfevents.<secs>.<hostname>}) into a run
 * directory: TFRecord-framed {@code tensorflow.Event} messages, encoded by hand. The first record
 * carries the file version TensorBoard checks; each later one a scalar or PNG image summary.
 * Thread-safe, so a trainer's epoch callback may log from any thread.
 */
public final class TensorBoardWriter implements AutoCloseable {
    private static final String FILE_VERSION = "brain.Event:2";

    // Field numbers of tensorflow/core/util/event.proto and framework/summary.proto.
    private static final int EVENT_WALL_TIME = 1;
    private static final int EVENT_STEP = 2;
    private static final int EVENT_FILE_VERSION = 3;
    private static final int EVENT_SUMMARY = 5;
    private static final int SUMMARY_VALUE = 1;
    private static final int VALUE_TAG = 1;
    private static final int VALUE_SIMPLE_VALUE = 2;
    private static final int VALUE_IMAGE = 4;
    private static final int IMAGE_HEIGHT = 1;
    private static final int IMAGE_WIDTH = 2;
    private static final int IMAGE_COLORSPACE = 3;
    private static final int IMAGE_ENCODED = 4;

    private final Path file;
    private final OutputStream out;
    private boolean closed;

    private TensorBoardWriter(Path file, OutputStream out) {
        this.file = file;
        this.out = out;
    }

    /** Creates a new event file in {@code runDir} (created if missing) and writes its version record. */
    public static TensorBoardWriter create(Path runDir) {
        String base = "events.out.tfevents." + System.currentTimeMillis() / 1000 + "." + hostname();
        try {
            Files.createDirectories(runDir);
            Path file = runDir.resolve(base);
            // A second writer in the same second must not append to the first one's file.
            for (int n = 1; Files.exists(file); n++) {
                file = runDir.resolve(base + "." + n);
            }
            OutputStream out = Files.newOutputStream(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            TensorBoardWriter w = new TensorBoardWriter(file, new BufferedOutputStream(out));
            w.writeEvent(event().string(EVENT_FILE_VERSION, FILE_VERSION));
            w.flush();
            return w;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a TensorBoard event file in " + runDir + ": "
                    + e.getMessage(), e);
        }
    }

    public Path file() {
        return file;
    }

    /** One point of the scalar curve {@code tag} (stored as float, as TensorBoard does). */
    public synchronized void addScalar(String tag, double value, long step) {
        ProtoWriter v = new ProtoWriter().string(VALUE_TAG, tag).floatField(VALUE_SIMPLE_VALUE, (float) value);
        writeSummary(v, step);
    }

    /** An image summary, PNG-encoded. */
    public synchronized void addImage(String tag, BufferedImage image, long step) {
        int colorspace = image.getType() == BufferedImage.TYPE_BYTE_GRAY ? 1 : image.getColorModel().hasAlpha() ? 4 : 3;
        ProtoWriter img = new ProtoWriter()
                .int64(IMAGE_HEIGHT, image.getHeight())
                .int64(IMAGE_WIDTH, image.getWidth())
                .int64(IMAGE_COLORSPACE, colorspace)
                .bytes(IMAGE_ENCODED, Png.encode(image));
        writeSummary(new ProtoWriter().string(VALUE_TAG, tag).message(VALUE_IMAGE, img), step);
    }

    /**
     * The epoch's metrics as scalars at step = epoch (tags in docs/run-directory.md), then a flush so
     * that TensorBoard shows the epoch at once. NaN means "not measured" and is left out.
     */
    public synchronized void addEpoch(EpochMetrics m) {
        scalarIfMeasured("loss/train", m.trainLoss(), m.epoch());
        scalarIfMeasured("loss/validation", m.valLoss(), m.epoch());
        scalarIfMeasured("accuracy/validation", m.valAccuracy(), m.epoch());
        scalarIfMeasured("learning_rate", m.lr(), m.epoch());
        scalarIfMeasured("throughput/images_per_sec", m.imagesPerSec(), m.epoch());
        scalarIfMeasured("time/epoch_seconds", m.seconds(), m.epoch());
        flush();
    }

    private void scalarIfMeasured(String tag, double value, long step) {
        if (!Double.isNaN(value)) {
            addScalar(tag, value, step);
        }
    }

    public synchronized void flush() {
        try {
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close " + file + ": " + e.getMessage(), e);
        }
    }

    private void writeSummary(ProtoWriter value, long step) {
        ProtoWriter summary = new ProtoWriter().message(SUMMARY_VALUE, value);
        writeEvent(event().int64(EVENT_STEP, step).message(EVENT_SUMMARY, summary));
    }

    private static ProtoWriter event() {
        return new ProtoWriter().doubleField(EVENT_WALL_TIME, System.currentTimeMillis() / 1000.0);
    }

    private void writeEvent(ProtoWriter event) {
        if (closed) {
            throw new IllegalStateException(file + " is closed");
        }
        try {
            out.write(TfRecord.frame(event.toByteArray()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file + ": " + e.getMessage(), e);
        }
    }

    /** The host name TensorFlow puts in event file names; the environment first, as DNS may be slow. */
    private static String hostname() {
        String name = System.getenv("HOSTNAME");
        if (name == null || name.isBlank()) {
            try {
                name = InetAddress.getLocalHost().getHostName();
            } catch (IOException e) {
                name = "localhost";
            }
        }
        return name.replaceAll("[^A-Za-z0-9._-]", "_");
    }
}
