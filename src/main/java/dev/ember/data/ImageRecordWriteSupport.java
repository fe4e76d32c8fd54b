package dev.ember.data;

import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.parquet.conf.ParquetConfiguration;
import org.apache.parquet.hadoop.api.WriteSupport;
import org.apache.parquet.io.api.Binary;
import org.apache.parquet.io.api.RecordConsumer;
import org.apache.parquet.schema.MessageType;

/** Writes {@link ImageRecord}s as rows of {@link ImageSchema#parquetSchema()}, straight to Parquet's record consumer. */
final class ImageRecordWriteSupport extends WriteSupport<ImageRecord> {
    private static final MessageType SCHEMA = ImageSchema.parquetSchema();

    private final Map<String, String> keyValueMetadata;
    private RecordConsumer consumer;

    ImageRecordWriteSupport(Map<String, String> keyValueMetadata) {
        this.keyValueMetadata = Map.copyOf(keyValueMetadata);
    }

    // Abstract in Parquet, so it must exist; Ember passes a ParquetConfiguration and never calls it.
    @Override
    @SuppressWarnings("deprecation")
    public WriteContext init(Configuration configuration) {
        return new WriteContext(SCHEMA, keyValueMetadata);
    }

    @Override
    public WriteContext init(ParquetConfiguration configuration) {
        return new WriteContext(SCHEMA, keyValueMetadata);
    }

    @Override
    public void prepareForWrite(RecordConsumer recordConsumer) {
        this.consumer = recordConsumer;
    }

    @Override
    public void write(ImageRecord record) {
        consumer.startMessage();
        // Field indexes follow ImageSchema.COLUMNS.
        binary(ImageSchema.IMAGE, 0, Binary.fromConstantByteArray(record.image()));
        binary(ImageSchema.ENCODING, 1, Binary.fromString(record.encoding().marker()));
        integer(ImageSchema.HEIGHT, 2, record.height());
        integer(ImageSchema.WIDTH, 3, record.width());
        integer(ImageSchema.CHANNELS, 4, record.channels());
        integer(ImageSchema.LABEL, 5, record.label());
        if (record.id() != null) {
            binary(ImageSchema.ID, 6, Binary.fromString(record.id()));
        }
        if (record.path() != null) {
            binary(ImageSchema.PATH, 7, Binary.fromString(record.path()));
        }
        consumer.endMessage();
    }

    private void binary(String name, int index, Binary value) {
        consumer.startField(name, index);
        consumer.addBinary(value);
        consumer.endField(name, index);
    }

    private void integer(String name, int index, int value) {
        consumer.startField(name, index);
        consumer.addInteger(value);
        consumer.endField(name, index);
    }
}
