package dev.ember.data;

import java.util.List;
import java.util.Map;
import org.apache.parquet.schema.LogicalTypeAnnotation;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.PrimitiveType.PrimitiveTypeName;
import org.apache.parquet.schema.Type;
import org.apache.parquet.schema.Types;

/**
 * The columns of an Ember image dataset (see {@code docs/dataset-format.md}). Readers check a file's
 * columns with {@link #checkColumns}, whatever their type system (Parquet or Spark SQL), so both
 * report missing and mistyped columns with the same words.
 */
public final class ImageSchema {
    public static final String IMAGE = "image";
    public static final String ENCODING = "encoding";
    public static final String HEIGHT = "height";
    public static final String WIDTH = "width";
    public static final String CHANNELS = "channels";
    public static final String LABEL = "label";
    public static final String ID = "id";
    public static final String PATH = "path";

    /** Column type names as used in messages: Parquet physical types, with STRING for UTF-8 binary. */
    public static final String BINARY = "BINARY";
    public static final String STRING = "STRING";
    public static final String INT32 = "INT32";

    /** One column: its name, type name and whether every row must have it. */
    public record Column(String name, String type, boolean required) {}

    public static final List<Column> COLUMNS = List.of(
            new Column(IMAGE, BINARY, true),
            new Column(ENCODING, STRING, true),
            new Column(HEIGHT, INT32, true),
            new Column(WIDTH, INT32, true),
            new Column(CHANNELS, INT32, true),
            new Column(LABEL, INT32, true),
            new Column(ID, STRING, false),
            new Column(PATH, STRING, false));

    private ImageSchema() {}

    /** The Parquet schema Ember writes; field order matches {@link #COLUMNS}. */
    public static MessageType parquetSchema() {
        Types.MessageTypeBuilder message = Types.buildMessage();
        for (Column column : COLUMNS) {
            Types.PrimitiveBuilder<?> field = column.required()
                    ? message.required(physicalType(column.type()))
                    : message.optional(physicalType(column.type()));
            if (column.type().equals(STRING)) {
                field.as(LogicalTypeAnnotation.stringType());
            }
            field.named(column.name());
        }
        return message.named("ember_image");
    }

    private static PrimitiveTypeName physicalType(String type) {
        return type.equals(INT32) ? PrimitiveTypeName.INT32 : PrimitiveTypeName.BINARY;
    }

    /** The type name {@link #checkColumns} expects for a Parquet field. */
    public static String typeName(Type field) {
        if (!field.isPrimitive()) {
            return "GROUP";
        }
        String name = field.asPrimitiveType().getPrimitiveTypeName().name();
        if (name.equals(BINARY) && field.getLogicalTypeAnnotation() instanceof LogicalTypeAnnotation.StringLogicalTypeAnnotation) {
            name = STRING;
        }
        return field.isRepetition(Type.Repetition.REPEATED) ? "REPEATED " + name : name;
    }

    /**
     * Checks that every required column is present and every known column has its type. Extra
     * columns are allowed (they are ignored), so datasets can carry more than Ember needs.
     *
     * @param actualTypes column name to type name ({@link #BINARY}, {@link #STRING}, {@link #INT32} or any other name)
     * @param source the file or partition, for the message
     * @throws DatasetFormatException naming the source, the column, its type and the expected type
     */
    public static void checkColumns(Map<String, String> actualTypes, String source) {
        for (Column column : COLUMNS) {
            String actual = actualTypes.get(column.name());
            if (actual == null) {
                if (column.required()) {
                    throw new DatasetFormatException(source + ": missing required column '" + column.name() + "' (" + column.type()
                            + "); columns present: " + actualTypes.keySet());
                }
            } else if (!actual.equals(column.type())) {
                throw new DatasetFormatException(source + ": column '" + column.name() + "' has type " + actual
                        + "; expected " + column.type());
            }
        }
    }
}
