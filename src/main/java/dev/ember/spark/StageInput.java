package dev.ember.spark;

import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.function.FlatMapFunction2;
import org.apache.spark.sql.Row;

import java.util.Iterator;

/**
 * A row of the training stage's input: each partition holds its training rows, then the validation
 * rows of the same partition index (both sets are hash-partitioned into P), so one task keeps a
 * shard of each for the whole run.
 */
record StageInput(boolean validation, Row row) {
    static JavaRDD<StageInput> of(JavaRDD<Row> train, JavaRDD<Row> validation) {
        return train.zipPartitions(validation, new Zip());
    }

    private static final class Zip implements FlatMapFunction2<Iterator<Row>, Iterator<Row>, StageInput> {
        @Override
        public Iterator<StageInput> call(Iterator<Row> train, Iterator<Row> validation) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return train.hasNext() || validation.hasNext();
                }

                @Override
                public StageInput next() {
                    return train.hasNext() ? new StageInput(false, train.next()) : new StageInput(true, validation.next());
                }
            };
        }
    }

    /**
     * The input's training rows, then its validation rows, each read only if asked for: a shard found in
     * the executor's cache never consumes its rows, and the validation rows follow the training rows.
     */
    static final class Split {
        private final Iterator<StageInput> input;
        private StageInput peeked;

        Split(Iterator<StageInput> input) {
            this.input = input;
        }

        private StageInput peek() {
            if (peeked == null && input.hasNext()) {
                peeked = input.next();
            }
            return peeked;
        }

        Iterator<Row> training() {
            return rows(false);
        }

        Iterator<Row> validation() {
            while (peek() != null && !peeked.validation()) {
                peeked = null;  // training rows the training shard's cache did not need
            }
            return rows(true);
        }

        private Iterator<Row> rows(boolean validation) {
            return new Iterator<>() {
                @Override
                public boolean hasNext() {
                    return peek() != null && peeked.validation() == validation;
                }

                @Override
                public Row next() {
                    if (!hasNext()) {
                        throw new java.util.NoSuchElementException();
                    }
                    Row r = peeked.row();
                    peeked = null;
                    return r;
                }
            };
        }
    }
}
