package dev.ember.data;

import java.util.Arrays;
import java.util.stream.Collectors;

/** How the {@code image} column of a row stores its pixels; {@link #marker()} is the {@code encoding} column value. */
public enum ImageEncoding {
    /** Uncompressed uint8 pixels in HWC order, {@code height * width * channels} bytes. */
    RAW("raw"),
    /** A PNG file's bytes. */
    PNG("png"),
    /** A JPEG file's bytes. */
    JPEG("jpeg");

    private final String marker;

    ImageEncoding(String marker) {
        this.marker = marker;
    }

    /** The value stored in the {@code encoding} column. */
    public String marker() {
        return marker;
    }

    /**
     * The encoding whose marker is {@code marker}.
     *
     * @param where names the file and row for the error message
     * @throws DatasetFormatException for an unknown marker
     */
    public static ImageEncoding fromMarker(String marker, String where) {
        for (ImageEncoding encoding : values()) {
            if (encoding.marker.equals(marker)) {
                return encoding;
            }
        }
        throw new DatasetFormatException(where + " column '" + ImageSchema.ENCODING + "': unknown encoding '" + marker
                + "'; expected one of " + Arrays.stream(values()).map(ImageEncoding::marker).collect(Collectors.joining(", ")));
    }
}
