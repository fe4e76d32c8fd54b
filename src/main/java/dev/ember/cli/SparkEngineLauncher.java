package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.job.RunWriter;

import java.io.PrintStream;

/** Hands a job to the Spark engine. */
final class SparkEngineLauncher {
    private SparkEngineLauncher() {
    }

    static void run(JobConfig job, RunWriter dir, boolean resume, PrintStream console) {
        throw new IllegalStateException("the Spark engine is not available in this build yet; run with --engine local");
    }
}
