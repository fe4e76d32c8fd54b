package dev.ember.data;

import java.util.List;

/** A view of some images of a dataset, by index ({@code torch.utils.data.Subset}). */
public final class Subset implements ImageDataset {
    private final ImageDataset base;
    private final int[] indices;

    public Subset(ImageDataset base, int[] indices) {
        for (int i : indices) {
            if (i < 0 || i >= base.size()) {
                throw new IndexOutOfBoundsException("subset index " + i + " outside a dataset of " + base.size());
            }
        }
        this.base = base;
        this.indices = indices.clone();
    }

    @Override
    public int size() {
        return indices.length;
    }

    @Override
    public List<String> classNames() {
        return base.classNames();
    }

    @Override
    public int label(int index) {
        return base.label(indices[index]);
    }

    @Override
    public ImageShape shape(int index) {
        return base.shape(indices[index]);
    }

    @Override
    public void readImage(int index, float[] dst, int dstOffset) {
        base.readImage(indices[index], dst, dstOffset);
    }

    @Override
    public void readPixels(int index, byte[] dst, int dstOffset) {
        base.readPixels(indices[index], dst, dstOffset);
    }

    @Override
    public String locate(int index) {
        return base.locate(indices[index]);
    }
}
