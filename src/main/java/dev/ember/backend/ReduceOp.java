package dev.ember.backend;

/** Reductions over dimensions; MAX and MIN also come with indices through {@code argReduce}. */
public enum ReduceOp { SUM, MAX, MIN }
