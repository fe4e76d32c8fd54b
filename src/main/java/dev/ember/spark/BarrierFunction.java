package dev.ember.spark;

import org.apache.spark.api.java.function.FlatMapFunction;
import scala.jdk.javaapi.CollectionConverters;
import scala.runtime.AbstractFunction1;

import java.io.Serializable;

/** A Java {@link FlatMapFunction} as the Scala function {@code RDDBarrier.mapPartitions} takes. */
final class BarrierFunction<T, R> extends AbstractFunction1<scala.collection.Iterator<T>, scala.collection.Iterator<R>>
        implements Serializable {
    private final FlatMapFunction<java.util.Iterator<T>, R> f;

    BarrierFunction(FlatMapFunction<java.util.Iterator<T>, R> f) {
        this.f = f;
    }

    @Override
    public scala.collection.Iterator<R> apply(scala.collection.Iterator<T> rows) {
        try {
            return CollectionConverters.asScala(f.call(CollectionConverters.asJava(rows)));
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new IllegalStateException(e.getMessage(), e);
        }
    }
}
