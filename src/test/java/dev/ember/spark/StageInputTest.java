package dev.ember.spark;

import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

class StageInputTest {
    private static Iterator<StageInput> input() {
        return List.of(new StageInput(false, RowFactory.create("t0")), new StageInput(false, RowFactory.create("t1")),
                new StageInput(true, RowFactory.create("v0"))).iterator();
    }

    private static List<Object> drain(Iterator<Row> rows) {
        List<Object> out = new ArrayList<>();
        rows.forEachRemaining(r -> out.add(r.get(0)));
        return out;
    }

    @Test
    void splitsTrainingRowsFromValidationRows() {
        StageInput.Split split = new StageInput.Split(input());
        assertEquals(List.of("t0", "t1"), drain(split.training()));
        assertEquals(List.of("v0"), drain(split.validation()));
    }

    @Test
    void validationRowsAreFoundWhenTheTrainingShardWasCached() {
        // a cached training shard never reads its rows: the validation iterator skips them
        StageInput.Split split = new StageInput.Split(input());
        assertEquals(List.of("v0"), drain(split.validation()));
        assertFalse(split.training().hasNext());
    }
}
