package dev.ember.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.ember.data.transforms.Compose;
import dev.ember.data.transforms.Normalize;
import dev.ember.data.transforms.RandomHorizontalFlip;
import dev.ember.data.transforms.RandomResizedCrop;
import dev.ember.data.transforms.Resize;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class DataLoaderTest {
    /** Image i is 1x2x3 filled with the byte value i; label i % 3. */
    private static InMemoryImageDataset numbered(int n) {
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(List.of("a", "b", "c"));
        for (int i = 0; i < n; i++) {
            byte[] pixels = new byte[6];
            Arrays.fill(pixels, (byte) i);
            builder.add(ImageRecord.raw(pixels, 2, 3, 1, i % 3));
        }
        return builder.build();
    }

    private static List<Batch> collect(DataLoader loader, int epoch) {
        List<Batch> batches = new ArrayList<>();
        loader.epoch(epoch).forEach(batches::add);
        return batches;
    }

    @Test
    void batchesAreNchwInIndexOrderWithASmallerLastBatch() {
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).build();
        List<Batch> batches = collect(loader, 0);
        assertEquals(3, loader.batchesPerEpoch());
        assertEquals(List.of(4, 4, 2), batches.stream().map(Batch::size).toList());
        Batch last = batches.get(2);
        assertEquals(new ImageShape(1, 2, 3), last.shape());
        assertArrayEquals(new long[] {2, 0}, last.labels());
        float[] expected = new float[12];
        Arrays.fill(expected, 0, 6, 8 / 255f);
        Arrays.fill(expected, 6, 12, 9 / 255f);
        assertArrayEquals(expected, last.images());
    }

    @Test
    void shuffledEpochsVisitEveryImageOnceInASeededOrder() {
        DataLoader loader = DataLoader.builder(numbered(50)).batchSize(8).shuffle(true).seed(3).build();
        int[] epoch0 = firstPixels(loader, 0);
        assertArrayEquals(IntStream.range(0, 50).toArray(), Arrays.stream(epoch0).sorted().toArray());
        assertArrayEquals(epoch0, firstPixels(DataLoader.builder(numbered(50)).batchSize(5).shuffle(true).seed(3).build(), 0),
                "the order depends on seed and epoch only, not on the batch size");
        assertFalse(Arrays.equals(epoch0, firstPixels(loader, 1)), "each epoch has its own order");
        assertFalse(Arrays.equals(epoch0, IntStream.range(0, 50).toArray()));
    }

    private static int[] firstPixels(DataLoader loader, int epoch) {
        return collect(loader, epoch).stream()
                .flatMap(b -> IntStream.range(0, b.size()).mapToObj(k -> Math.round(b.images()[k * 6] * 255)))
                .mapToInt(Integer::intValue).toArray();
    }

    @Test
    void indexBatchesNameTheImagesOfEachShuffledBatch() {
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).shuffle(true).seed(5).build();
        List<int[]> indices = new ArrayList<>();
        loader.indexBatches(1).forEach(indices::add);
        assertEquals(List.of(4, 4, 2), indices.stream().map(i -> i.length).toList());
        assertArrayEquals(firstPixels(loader, 1), indices.stream().flatMapToInt(Arrays::stream).toArray());
        assertArrayEquals(collect(loader, 1).get(1).images(), loader.batch(indices.get(1), 1).images());
    }

    @Test
    void augmentsOnlyWithARandomTransform() {
        Normalize normalize = new Normalize(new float[] {0.5f}, new float[] {0.5f});
        assertFalse(DataLoader.builder(numbered(2)).build().augments());
        assertFalse(DataLoader.builder(numbered(2)).transform(new Compose(new Resize(4, 4), normalize)).build().augments());
        assertTrue(DataLoader.builder(numbered(2)).transform(new Compose(new RandomHorizontalFlip(), normalize)).build()
                .augments());
        assertFalse(DataLoader.builder(numbered(2)).transform(new RandomHorizontalFlip(1)).build().augments(),
                "a flip that always happens gives the same pixels every epoch");
    }

    @Test
    void dropLastDropsTheIncompleteBatch() {
        DataLoader loader = DataLoader.builder(numbered(10)).batchSize(4).dropLast(true).build();
        assertEquals(2, loader.batchesPerEpoch());
        assertEquals(2, collect(loader, 0).size());
        assertThrows(IllegalArgumentException.class, () -> DataLoader.builder(numbered(3)).batchSize(4).dropLast(true).build());
    }

    @Test
    void augmentationIsAFunctionOfSeedEpochAndIndex() {
        InMemoryImageDataset data = randomDataset(12, 8, 8);
        Compose augment = new Compose(new RandomResizedCrop(6, 6), new RandomHorizontalFlip(),
                new Normalize(new float[] {0.5f, 0.5f, 0.5f}, new float[] {0.25f, 0.25f, 0.25f}));
        DataLoader a = DataLoader.builder(data).batchSize(5).shuffle(true).seed(9).transform(augment).build();
        DataLoader b = DataLoader.builder(data).batchSize(5).shuffle(true).seed(9).transform(augment).build();
        assertEquals(new ImageShape(3, 6, 6), a.imageShape());
        List<Batch> first = collect(a, 2);
        List<Batch> again = collect(b, 2);
        for (int i = 0; i < first.size(); i++) {
            assertArrayEquals(first.get(i).images(), again.get(i).images());
            assertArrayEquals(first.get(i).labels(), again.get(i).labels());
        }
        assertFalse(Arrays.equals(first.get(0).images(), collect(a, 3).get(0).images()));
    }

    private static InMemoryImageDataset randomDataset(int n, int h, int w) {
        java.util.Random random = new java.util.Random(5);
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(List.of("x", "y"));
        for (int i = 0; i < n; i++) {
            builder.add(ImageRecord.raw(TestData.randomPixels(random, h, w, 3), h, w, 3, i % 2));
        }
        return builder.build();
    }

    @Test
    void mixedSizesNeedAPipelineThatGivesOneSize() {
        InMemoryImageDataset.Builder builder = InMemoryImageDataset.builder(List.of("a"));
        builder.beginSource("part-00000.parquet");
        builder.add(ImageRecord.raw(new byte[4], 2, 2, 1, 0));
        builder.add(ImageRecord.raw(new byte[6], 2, 3, 1, 0));
        builder.add(ImageRecord.raw(new byte[4], 2, 2, 1, 0));
        InMemoryImageDataset mixed = builder.build();
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DataLoader.builder(mixed).build());
        assertEquals("images have different sizes (1x2x2 at part-00000.parquet row 0, 1x2x3 at part-00000.parquet row 1)"
                + " and the pipeline does not give them one size; add a Resize, CenterCrop or RandomResizedCrop transform",
                e.getMessage());
        DataLoader resized = DataLoader.builder(mixed).transform(new Resize(2, 2)).build();
        assertEquals(new ImageShape(1, 2, 2), resized.imageShape());
        assertEquals(3, collect(resized, 0).get(0).size());
    }

    @Test
    void anEmptyDatasetCannotBeLoaded() {
        InMemoryImageDataset empty = InMemoryImageDataset.builder(List.of("a")).build();
        assertEquals(0, empty.size());
        DatasetFormatException e = assertThrows(DatasetFormatException.class, () -> DataLoader.builder(empty).build());
        assertEquals("dataset is empty: a DataLoader needs at least one image", e.getMessage());
    }

    @Test
    void aPipelineWithTheWrongChannelCountFailsAtBuild() {
        DataLoader.Builder builder = DataLoader.builder(numbered(2))
                .transform(new Normalize(new float[] {0, 0, 0}, new float[] {1, 1, 1}));
        assertTrue(assertThrows(IllegalArgumentException.class, builder::build).getMessage().startsWith("Normalize has 3 means"));
    }
}
