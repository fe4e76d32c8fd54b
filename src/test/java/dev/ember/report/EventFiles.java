package dev.ember.report;

import com.google.protobuf.DescriptorProtos.DescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Label;
import com.google.protobuf.DescriptorProtos.FieldDescriptorProto.Type;
import com.google.protobuf.DescriptorProtos.FileDescriptorProto;
import com.google.protobuf.Descriptors.Descriptor;
import com.google.protobuf.Descriptors.DescriptorValidationException;
import com.google.protobuf.Descriptors.FieldDescriptor;
import com.google.protobuf.Descriptors.FileDescriptor;
import com.google.protobuf.DynamicMessage;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.Message;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Reads TensorBoard event files independently of the writer: its own CRC-32C (bit by bit, from the
 * Castagnoli polynomial) checks the TFRecord framing, and protobuf-java parses each record with the
 * descriptors of tensorflow's event.proto and summary.proto, rebuilt here field by field.
 */
final class EventFiles {
    static final Descriptor EVENT;
    static final Descriptor SUMMARY;
    static final Descriptor VALUE;
    static final Descriptor IMAGE;

    static {
        DescriptorProto image = DescriptorProto.newBuilder().setName("Image")
                .addField(field("height", 1, Type.TYPE_INT32))
                .addField(field("width", 2, Type.TYPE_INT32))
                .addField(field("colorspace", 3, Type.TYPE_INT32))
                .addField(field("encoded_image_string", 4, Type.TYPE_BYTES)).build();
        DescriptorProto value = DescriptorProto.newBuilder().setName("Value")
                .addField(field("tag", 1, Type.TYPE_STRING))
                .addField(field("simple_value", 2, Type.TYPE_FLOAT))
                .addField(field("image", 4, Type.TYPE_MESSAGE).setTypeName(".tensorflow.Summary.Image")).build();
        DescriptorProto summary = DescriptorProto.newBuilder().setName("Summary").addNestedType(image)
                .addNestedType(value)
                .addField(field("value", 1, Type.TYPE_MESSAGE).setLabel(Label.LABEL_REPEATED)
                        .setTypeName(".tensorflow.Summary.Value")).build();
        DescriptorProto event = DescriptorProto.newBuilder().setName("Event")
                .addField(field("wall_time", 1, Type.TYPE_DOUBLE))
                .addField(field("step", 2, Type.TYPE_INT64))
                .addField(field("file_version", 3, Type.TYPE_STRING))
                .addField(field("summary", 5, Type.TYPE_MESSAGE).setTypeName(".tensorflow.Summary")).build();
        FileDescriptorProto file = FileDescriptorProto.newBuilder().setName("tensorflow/event_for_tests.proto")
                .setPackage("tensorflow").setSyntax("proto3").addMessageType(summary).addMessageType(event).build();
        try {
            FileDescriptor fd = FileDescriptor.buildFrom(file, new FileDescriptor[0]);
            EVENT = fd.findMessageTypeByName("Event");
            SUMMARY = fd.findMessageTypeByName("Summary");
            VALUE = SUMMARY.findNestedTypeByName("Value");
            IMAGE = SUMMARY.findNestedTypeByName("Image");
        } catch (DescriptorValidationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private EventFiles() {
    }

    private static FieldDescriptorProto.Builder field(String name, int number, Type type) {
        return FieldDescriptorProto.newBuilder().setName(name).setNumber(number).setType(type)
                .setLabel(Label.LABEL_OPTIONAL);
    }

    /** Every record of the file, each CRC-checked and parsed; fails on any byte that does not belong. */
    static List<DynamicMessage> read(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
        List<DynamicMessage> events = new ArrayList<>();
        while (b.hasRemaining()) {
            int at = b.position();
            if (b.remaining() < 12) {
                throw new AssertionError("truncated record header at byte " + at);
            }
            long length = b.getLong();
            int lengthCrc = b.getInt();
            if (lengthCrc != masked(crc32c(Arrays.copyOfRange(bytes, at, at + 8)))) {
                throw new AssertionError("bad length CRC at byte " + at);
            }
            if (length > b.remaining() - 4) {
                throw new AssertionError("record at byte " + at + " claims " + length + " bytes");
            }
            byte[] data = new byte[(int) length];
            b.get(data);
            if (b.getInt() != masked(crc32c(data))) {
                throw new AssertionError("bad data CRC in the record at byte " + at);
            }
            try {
                DynamicMessage event = DynamicMessage.parseFrom(EVENT, data);
                assertNoUnknownFields(event);
                events.add(event);
            } catch (InvalidProtocolBufferException e) {
                throw new AssertionError("record at byte " + at + " is not an Event: " + e.getMessage(), e);
            }
        }
        return events;
    }

    /** A field number or wire type the writer got wrong would parse as an unknown field. */
    private static void assertNoUnknownFields(Message m) {
        if (!m.getUnknownFields().asMap().isEmpty()) {
            throw new AssertionError("unknown fields in " + m.getDescriptorForType().getName() + ": "
                    + m.getUnknownFields());
        }
        for (var e : m.getAllFields().entrySet()) {
            if (e.getKey().getJavaType() != FieldDescriptor.JavaType.MESSAGE) {
                continue;
            }
            if (e.getKey().isRepeated()) {
                for (Object o : (List<?>) e.getValue()) {
                    assertNoUnknownFields((Message) o);
                }
            } else {
                assertNoUnknownFields((Message) e.getValue());
            }
        }
    }

    record Scalar(String tag, long step, float value) {
    }

    /** The scalar values of every summary event, in file order. */
    static List<Scalar> scalars(List<DynamicMessage> events) {
        List<Scalar> out = new ArrayList<>();
        for (DynamicMessage e : events) {
            if (!e.hasField(EVENT.findFieldByName("summary"))) {
                continue;
            }
            long step = (Long) e.getField(EVENT.findFieldByName("step"));
            Message summary = (Message) e.getField(EVENT.findFieldByName("summary"));
            for (Object o : (List<?>) summary.getField(SUMMARY.findFieldByName("value"))) {
                Message v = (Message) o;
                if (v.hasField(VALUE.findFieldByName("image"))) {
                    continue;
                }
                out.add(new Scalar((String) v.getField(VALUE.findFieldByName("tag")), step,
                        (Float) v.getField(VALUE.findFieldByName("simple_value"))));
            }
        }
        return out;
    }

    /** CRC-32C, bit by bit with the reflected Castagnoli polynomial: slow and obviously right. */
    static int crc32c(byte[] data) {
        int crc = 0xFFFFFFFF;
        for (byte d : data) {
            crc ^= d & 0xFF;
            for (int k = 0; k < 8; k++) {
                crc = (crc & 1) != 0 ? (crc >>> 1) ^ 0x82F63B78 : crc >>> 1;
            }
        }
        return ~crc;
    }

    static int masked(int crc) {
        return Integer.rotateRight(crc, 15) + 0xa282ead8;
    }
}
