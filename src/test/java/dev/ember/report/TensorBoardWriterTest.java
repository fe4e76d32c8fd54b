package dev.ember.report;

import com.google.protobuf.ByteString;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.Message;
import dev.ember.train.EpochMetrics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static dev.ember.report.EventFiles.EVENT;
import static dev.ember.report.EventFiles.IMAGE;
import static dev.ember.report.EventFiles.SUMMARY;
import static dev.ember.report.EventFiles.VALUE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TensorBoardWriterTest {
    @TempDir
    Path dir;

    static final List<EpochMetrics> EPOCHS = List.of(
            new EpochMetrics(1, 2.302585, 1.9, 0.31, 5120.5, 12.25, 0.1),
            new EpochMetrics(2, 1.2, Double.NaN, Double.NaN, 5300, 11.5, 0.05),
            new EpochMetrics(3, 0.8125, 0.9, 0.7, 5290.75, 11.75, 1e-4));

    @Test
    void theIndependentCrcMatchesTheCastagnoliCheckValue() {
        assertEquals(0xE3069283, EventFiles.crc32c("123456789".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void theFirstRecordCarriesTheFileVersionAndEveryEpochScalarReadsBack() {
        double before = System.currentTimeMillis() / 1000.0;
        Path file;
        try (TensorBoardWriter tb = TensorBoardWriter.create(dir)) {
            EPOCHS.forEach(tb::addEpoch);
            file = tb.file();
        }
        double after = System.currentTimeMillis() / 1000.0;
        List<DynamicMessage> events = EventFiles.read(file);

        DynamicMessage first = events.get(0);
        assertEquals("brain.Event:2", first.getField(EVENT.findFieldByName("file_version")));
        assertFalse(first.hasField(EVENT.findFieldByName("summary")));
        for (DynamicMessage e : events) {
            double wall = (Double) e.getField(EVENT.findFieldByName("wall_time"));
            assertTrue(wall >= before - 0.001 && wall <= after + 0.001, "wall_time " + wall);
        }
        assertEquals(expectedScalars(EPOCHS), EventFiles.scalars(events));
    }

    @Test
    void eachEpochIsOnDiskBeforeTheWriterCloses() {
        try (TensorBoardWriter tb = TensorBoardWriter.create(dir)) {
            tb.addEpoch(EPOCHS.get(0));
            assertEquals(expectedScalars(EPOCHS.subList(0, 1)), EventFiles.scalars(EventFiles.read(tb.file())));
            tb.addEpoch(EPOCHS.get(1));
            assertEquals(expectedScalars(EPOCHS.subList(0, 2)), EventFiles.scalars(EventFiles.read(tb.file())));
        }
    }

    @Test
    void anyScalarKeepsItsTagStepAndFloatValue() {
        Path file;
        try (TensorBoardWriter tb = TensorBoardWriter.create(dir)) {
            tb.addScalar("custom/small", 1e-7, 0);
            tb.addScalar("custom/negative", -3.75, 1);
            tb.addScalar("custom/große Zahl", 123456.789, 1L << 40);
            tb.addScalar("custom/nan", Double.NaN, 2);
            file = tb.file();
        }
        List<EventFiles.Scalar> read = EventFiles.scalars(EventFiles.read(file));
        assertEquals(List.of(new EventFiles.Scalar("custom/small", 0, 1e-7f),
                new EventFiles.Scalar("custom/negative", 1, -3.75f),
                new EventFiles.Scalar("custom/große Zahl", 1L << 40, 123456.789f),
                new EventFiles.Scalar("custom/nan", 2, Float.NaN)), read);
    }

    @Test
    void imagesAreStoredAsPngWithTheirSizeAndColourSpace() throws IOException {
        BufferedImage rgb = new BufferedImage(5, 3, BufferedImage.TYPE_INT_RGB);
        BufferedImage grey = new BufferedImage(4, 2, BufferedImage.TYPE_BYTE_GRAY);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                rgb.setRGB(x, y, (x * 50) << 16 | (y * 100) << 8 | 77);
            }
        }
        grey.getRaster().setSample(1, 1, 0, 200);
        Path file;
        try (TensorBoardWriter tb = TensorBoardWriter.create(dir)) {
            tb.addImage("samples/rgb", rgb, 3);
            tb.addImage("samples/grey", grey, 4);
            file = tb.file();
        }
        List<DynamicMessage> events = EventFiles.read(file);
        assertEquals(3, events.size());
        Message rgbImage = image(events.get(1), "samples/rgb", 3);
        assertEquals(3, rgbImage.getField(IMAGE.findFieldByName("height")));
        assertEquals(5, rgbImage.getField(IMAGE.findFieldByName("width")));
        assertEquals(3, rgbImage.getField(IMAGE.findFieldByName("colorspace")));
        BufferedImage decoded = png(rgbImage);
        for (int y = 0; y < 3; y++) {
            for (int x = 0; x < 5; x++) {
                assertEquals(rgb.getRGB(x, y), decoded.getRGB(x, y));
            }
        }
        Message greyImage = image(events.get(2), "samples/grey", 4);
        assertEquals(1, greyImage.getField(IMAGE.findFieldByName("colorspace")));
        assertEquals(200, png(greyImage).getRaster().getSample(1, 1, 0));
    }

    @Test
    void fileNamesFollowTensorFlowAndNeverCollide() throws IOException {
        long now = System.currentTimeMillis() / 1000;
        try (TensorBoardWriter a = TensorBoardWriter.create(dir); TensorBoardWriter b = TensorBoardWriter.create(dir)) {
            assertNotEquals(a.file(), b.file());
            String name = a.file().getFileName().toString();
            assertTrue(name.matches("events\\.out\\.tfevents\\.\\d+\\.[A-Za-z0-9._-]+"), name);
            long secs = Long.parseLong(name.split("\\.")[3]);
            assertTrue(Math.abs(secs - now) <= 5, name);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(2, files.count());
        }
    }

    @Test
    void aClosedWriterRefusesMore() {
        TensorBoardWriter tb = TensorBoardWriter.create(dir);
        tb.close();
        tb.close();
        IllegalStateException e = assertThrows(IllegalStateException.class, () -> tb.addScalar("x", 1, 1));
        assertTrue(e.getMessage().contains(tb.file().toString()), e.getMessage());
    }

    @Test
    void aRealRunLogsEveryLineOfItsMetricsFile() throws IOException {
        TinyRun.write(dir);
        Path events;
        try (Stream<Path> files = Files.list(dir)) {
            events = files.filter(f -> f.getFileName().toString().startsWith("events.out.tfevents.")).findFirst()
                    .orElseThrow();
        }
        assertEquals(expectedScalars(RunDirectory.at(dir).metrics()), EventFiles.scalars(EventFiles.read(events)));
    }

    /** What addEpoch promises (docs/run-directory.md): six tags per epoch, NaN ones left out. */
    private static List<EventFiles.Scalar> expectedScalars(List<EpochMetrics> epochs) {
        List<EventFiles.Scalar> out = new ArrayList<>();
        for (EpochMetrics m : epochs) {
            add(out, "loss/train", m.epoch(), m.trainLoss());
            add(out, "loss/validation", m.epoch(), m.valLoss());
            add(out, "accuracy/validation", m.epoch(), m.valAccuracy());
            add(out, "learning_rate", m.epoch(), m.lr());
            add(out, "throughput/images_per_sec", m.epoch(), m.imagesPerSec());
            add(out, "time/epoch_seconds", m.epoch(), m.seconds());
        }
        return out;
    }

    private static void add(List<EventFiles.Scalar> out, String tag, long step, double value) {
        if (!Double.isNaN(value)) {
            out.add(new EventFiles.Scalar(tag, step, (float) value));
        }
    }

    private static Message image(DynamicMessage event, String tag, long step) {
        assertEquals(step, event.getField(EVENT.findFieldByName("step")));
        Message summary = (Message) event.getField(EVENT.findFieldByName("summary"));
        List<?> values = (List<?>) summary.getField(SUMMARY.findFieldByName("value"));
        assertEquals(1, values.size());
        Message value = (Message) values.get(0);
        assertEquals(tag, value.getField(VALUE.findFieldByName("tag")));
        return (Message) value.getField(VALUE.findFieldByName("image"));
    }

    private static BufferedImage png(Message image) throws IOException {
        ByteString bytes = (ByteString) image.getField(IMAGE.findFieldByName("encoded_image_string"));
        return ImageIO.read(new ByteArrayInputStream(bytes.toByteArray()));
    }
}
