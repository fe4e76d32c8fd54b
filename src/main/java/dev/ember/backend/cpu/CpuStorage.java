package dev.ember.backend.cpu;

import dev.ember.core.DType;
import dev.ember.core.Device;
import dev.ember.core.Storage;

/** Host storage: a Java {@code float[]} (FLOAT32, BOOL) or {@code long[]} (INT64), possibly the caller's own array. */
public final class CpuStorage extends Storage {
    private final float[] floats;
    private final long[] longs;

    private CpuStorage(DType dtype, float[] floats, long[] longs) {
        super(dtype, floats != null ? floats.length : longs.length);
        this.floats = floats;
        this.longs = longs;
    }

    /** Wraps the array without copying: writes through either side are seen by the other. */
    public static CpuStorage wrap(float[] data, DType dtype) {
        if (dtype == DType.INT64) {
            throw new IllegalArgumentException("a float[] cannot back an int64 storage");
        }
        return new CpuStorage(dtype, data, null);
    }

    /** Wraps the array without copying. */
    public static CpuStorage wrap(long[] data) {
        return new CpuStorage(DType.INT64, null, data);
    }

    static CpuStorage allocate(DType dtype, int size) {
        return dtype == DType.INT64 ? wrap(new long[size]) : wrap(new float[size], dtype);
    }

    /** The backing array of a FLOAT32/BOOL storage. */
    public float[] floats() {
        if (floats == null) {
            throw new IllegalStateException("storage of dtype " + dtype().torchName() + " has no float array");
        }
        return floats;
    }

    /** The backing array of an INT64 storage. */
    public long[] longs() {
        if (longs == null) {
            throw new IllegalStateException("storage of dtype " + dtype().torchName() + " has no long array");
        }
        return longs;
    }

    double get(int i) {
        return floats != null ? floats[i] : longs[i];
    }

    /** Stores a value, truncating toward zero for INT64 as a C cast does. */
    void set(int i, double v) {
        if (floats != null) {
            floats[i] = (float) v;
        } else {
            longs[i] = (long) v;
        }
    }

    boolean isFloat() {
        return floats != null;
    }

    @Override
    public Device device() {
        return Device.cpu();
    }
}
