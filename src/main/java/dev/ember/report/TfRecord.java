package dev.ember.report;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.zip.CRC32C;

/**
 * TFRecord framing, the container of TensorBoard event files: the data length as a little-endian
 * uint64, the masked CRC-32C of those 8 bytes, the data, the masked CRC-32C of the data.
 */
final class TfRecord {
    private TfRecord() {
    }

    static byte[] frame(byte[] data) {
        ByteBuffer b = ByteBuffer.allocate(8 + 4 + data.length + 4).order(ByteOrder.LITTLE_ENDIAN);
        b.putLong(data.length);
        b.putInt(maskedCrc32c(b.array(), 0, 8));
        b.put(data);
        b.putInt(maskedCrc32c(data, 0, data.length));
        return b.array();
    }

    /**
     * TensorFlow masks its CRCs (rotate right by 15, add a constant) because a CRC computed over data
     * that itself embeds CRCs is weak; readers check the masked value.
     */
    static int maskedCrc32c(byte[] bytes, int offset, int length) {
        CRC32C crc = new CRC32C();
        crc.update(bytes, offset, length);
        int c = (int) crc.getValue();
        return ((c >>> 15) | (c << 17)) + 0xa282ead8;
    }
}
