package dev.ember.spark;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileContext;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/** Whole-file reads and atomic writes (temporary name, then rename over) on any Hadoop file system. */
final class HadoopFiles {
    private HadoopFiles() {
    }

    static void writeAtomically(String path, byte[] bytes, Configuration conf) {
        Path dst = new Path(path);
        Path tmp = new Path(dst.getParent(), "." + dst.getName() + "." + UUID.randomUUID() + ".tmp");
        try {
            FileSystem fs = dst.getFileSystem(conf);
            fs.mkdirs(dst.getParent());
            try (FSDataOutputStream out = fs.create(tmp, false)) {
                out.write(bytes);
            }
            FileContext.getFileContext(dst.toUri(), conf).rename(tmp, dst, Options.Rename.OVERWRITE);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + path + ": " + e.getMessage(), e);
        }
    }

    static boolean exists(String path, Configuration conf) {
        try {
            Path p = new Path(path);
            return p.getFileSystem(conf).exists(p);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot check " + path + ": " + e.getMessage(), e);
        }
    }

    static byte[] read(String path, Configuration conf) {
        Path p = new Path(path);
        try {
            FileSystem fs = p.getFileSystem(conf);
            long len = fs.getFileStatus(p).getLen();
            byte[] b = new byte[Math.toIntExact(len)];
            try (FSDataInputStream in = fs.open(p)) {
                in.readFully(0, b);
            }
            return b;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
        }
    }
}
