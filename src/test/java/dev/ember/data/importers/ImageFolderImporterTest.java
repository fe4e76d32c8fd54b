package dev.ember.data.importers;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.DataLoader;
import dev.ember.data.DatasetFormatException;
import dev.ember.data.ImageShape;
import dev.ember.data.ParquetImageDataset;
import dev.ember.data.Pixels;
import dev.ember.data.TestData;
import dev.ember.data.transforms.Resize;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderImporterTest {
    @TempDir
    Path tmp;

    private ImageTree tree;

    @BeforeEach
    void writeTree() {
        tree = ImageTree.write(tmp.resolve("tree"));
    }

    private ParquetImageDataset importWith(ImageFolderImporter.Builder builder, String name) {
        Path out = tmp.resolve(name);
        builder.build().importTo(ImportTarget.of(out));
        return ParquetImageDataset.open(out);
    }

    /** Row i's pixels as HWC. */
    private static byte[] hwc(ParquetImageDataset dataset, int i) {
        ImageShape shape = dataset.shape(i);
        byte[] chw = new byte[shape.numel()];
        dataset.readPixels(i, chw, 0);
        return Pixels.chwToHwc(chw, 0, shape);
    }

    @Test
    void classesAreSortedByCodePointAndOtherFilesSkipped() {
        ImageFolderImporter importer = ImageFolderImporter.builder(tree.root()).build();
        assertEquals(List.of("Zebra", "cat", "dog"), importer.classNames());
        assertEquals(List.of("Zebra/f.png", "Zebra/g.png", "cat/a.png", "cat/b.png", "cat/nested/c.png", "dog/d.jpg", "dog/e.JPEG"),
                importer.files().stream().map(p -> tree.root().relativize(p).toString()).toList());
    }

    @Test
    void pngIsExactAndJpegMatchesImageIosDecode() throws IOException {
        ParquetImageDataset dataset = importWith(ImageFolderImporter.builder(tree.root()), "out");
        List<String> paths = TestData.readStrings(tmp.resolve("out"), "path");
        assertEquals(tree.expected().size(), dataset.size());
        List<String> classes = dataset.classNames();
        for (int i = 0; i < dataset.size(); i++) {
            ImageTree.Expected expected = tree.expected().get(paths.get(i));
            assertEquals(new ImageShape(3, expected.height(), expected.width()), dataset.shape(i), paths.get(i));
            assertArrayEquals(expected.rgb(), hwc(dataset, i), paths.get(i));
            assertEquals(paths.get(i).substring(0, paths.get(i).indexOf('/')), classes.get(dataset.label(i)));
        }
    }

    @Test
    void mixedSizesNeedAResizeInThePipeline() {
        ParquetImageDataset dataset = importWith(ImageFolderImporter.builder(tree.root()), "out");
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DataLoader.builder(dataset).build());
        assertTrue(e.getMessage().startsWith("images have different sizes (3x"), e.getMessage());
        assertTrue(e.getMessage().endsWith("add a Resize, CenterCrop or RandomResizedCrop transform"), e.getMessage());
        assertEquals(new ImageShape(3, 4, 4), DataLoader.builder(dataset).transform(new Resize(4, 4)).build().imageShape());
    }

    @Test
    void resizeOnImportGivesOneSizeAndKeepsFlatColoursExact() throws IOException {
        Path flat = tmp.resolve("flat");
        BufferedImage orange = Pixels.toBufferedImage(repeat(new byte[] {(byte) 250, (byte) 128, 7}, 9 * 13), 9, 13, 3);
        Files.createDirectories(flat.resolve("orange"));
        ImageIO.write(orange, "png", flat.resolve("orange/o.png").toFile());
        ParquetImageDataset resizedFlat = importWith(ImageFolderImporter.builder(flat).resize(4, 5), "flat-out");
        assertArrayEquals(repeat(new byte[] {(byte) 250, (byte) 128, 7}, 20), hwc(resizedFlat, 0));

        ParquetImageDataset resized = importWith(ImageFolderImporter.builder(tree.root()).resize(4, 5), "out");
        for (int i = 0; i < resized.size(); i++) {
            assertEquals(new ImageShape(3, 4, 5), resized.shape(i));
        }
        assertEquals(new ImageShape(3, 4, 5), DataLoader.builder(resized).build().imageShape());
    }

    private static byte[] repeat(byte[] pixel, int times) {
        byte[] out = new byte[pixel.length * times];
        for (int i = 0; i < times; i++) {
            System.arraycopy(pixel, 0, out, i * pixel.length, pixel.length);
        }
        return out;
    }

    @Test
    void grayscaleUsesPilsLuma() throws IOException {
        Path red = tmp.resolve("red");
        Files.createDirectories(red.resolve("r"));
        ImageIO.write(Pixels.toBufferedImage(new byte[] {(byte) 255, 0, 0, 0, (byte) 255, 0}, 1, 2, 3), "png",
                red.resolve("r/x.png").toFile());
        ParquetImageDataset grey = importWith(ImageFolderImporter.builder(red).grayscale(true), "out");
        assertEquals(new ImageShape(1, 1, 2), grey.shape(0));
        // PIL: L = (R*19595 + G*38470 + B*7471 + 0x8000) >> 16: red -> 76, green -> 150.
        assertArrayEquals(new byte[] {76, (byte) 150}, hwc(grey, 0));
    }

    @Test
    void pngAndKeepStorageDecodeToTheSamePixelsAsRaw() throws IOException {
        ParquetImageDataset raw = importWith(ImageFolderImporter.builder(tree.root()), "raw");
        ParquetImageDataset png = importWith(ImageFolderImporter.builder(tree.root()).storage(ImageFolderImporter.Storage.PNG), "png");
        ParquetImageDataset keep = importWith(ImageFolderImporter.builder(tree.root()).storage(ImageFolderImporter.Storage.KEEP), "keep");
        List<String> rawPaths = TestData.readStrings(tmp.resolve("raw"), "path");
        assertEquals(rawPaths, TestData.readStrings(tmp.resolve("png"), "path"), "the same seeded order");
        assertEquals(rawPaths, TestData.readStrings(tmp.resolve("keep"), "path"));
        for (int i = 0; i < raw.size(); i++) {
            assertArrayEquals(hwc(raw, i), hwc(png, i), rawPaths.get(i));
            assertArrayEquals(hwc(raw, i), hwc(keep, i), rawPaths.get(i));
        }
        assertEquals(7, raw.size());
        assertThrows(IllegalArgumentException.class,
                () -> ImageFolderImporter.builder(tree.root()).storage(ImageFolderImporter.Storage.KEEP).resize(4, 4).build());
    }

    @Test
    void anImageThatDoesNotDecodeFailsTheWholeImport() throws IOException {
        Path broken = tree.root().resolve("dog/broken.jpg");
        Files.write(broken, new byte[] {(byte) 0xFF, (byte) 0xD8, 1, 2, 3});
        Path out = tmp.resolve("out");
        DatasetFormatException e = assertThrows(DatasetFormatException.class,
                () -> ImageFolderImporter.builder(tree.root()).build().importTo(ImportTarget.of(out)));
        assertTrue(e.getMessage().startsWith(broken + ": does not decode as JPEG ("), e.getMessage());
        assertEquals(List.of("tree"), TestData.entries(tmp), "nothing at the destination, no staging left behind");
    }

    @Test
    void badTrees() throws IOException {
        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals(empty + ": no class directories; expected root/<class>/<image files>",
                assertThrows(DatasetFormatException.class, () -> ImageFolderImporter.builder(empty).build()).getMessage());
        Path noImages = Files.createDirectories(tree.root().resolve("fox"));
        Files.writeString(noImages.resolve("readme.md"), "no images");
        assertEquals(noImages + ": class directory has no .png, .jpg or .jpeg files",
                assertThrows(DatasetFormatException.class, () -> ImageFolderImporter.builder(tree.root()).build()).getMessage());
        assertEquals(tmp.resolve("missing") + ": no such image folder", assertThrows(DatasetFormatException.class,
                () -> ImageFolderImporter.builder(tmp.resolve("missing")).build()).getMessage());
    }
}
