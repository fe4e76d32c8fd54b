package dev.ember.cli;

import dev.ember.job.JobConfig;
import dev.ember.job.RunWriter;
import dev.ember.spark.SparkTraining;

import java.io.PrintStream;

/** Hands a job to the Spark engine. */
final class SparkEngineLauncher {
    private SparkEngineLauncher() {
    }

    static void run(JobConfig job, RunWriter dir, boolean resume, PrintStream console) {
        SparkTraining.run(job, dir, resume, console);
    }
}
