package io.smtpprobe.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A process whose stdout lines the test waits for: what the daemon logs is how a test knows it has
 * started, probed or reloaded, without sleeping.
 */
public final class ChildProcess implements AutoCloseable {
    private final Process process;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final List<String> seen = new ArrayList<>();
    private final Thread reader;

    public ChildProcess(List<String> command) throws IOException {
        // With every signal at its default, however the suite was started: a shell starts a background job
        // ("bash .ci/run &") with SIGINT ignored, every process below inherits that, and a daemon under test
        // would then never see the SIGINT a test sends (env execs the command: the pid stays the same).
        List<String> defaults = new ArrayList<>(List.of("env", "--default-signal"));
        defaults.addAll(command);
        process = new ProcessBuilder(defaults).redirectErrorStream(true).start();
        reader = new Thread(() -> {
            try (BufferedReader in = new BufferedReader(
                    new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    lines.add(line);
                }
            } catch (IOException e) {
                lines.add("<<stdout closed: " + e + ">>");
            }
        }, "child-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** A java command running {@code mainClass} on this test's class path. */
    public static List<String> java(String mainClass, String... args) {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), mainClass));
        command.addAll(List.of(args));
        return command;
    }

    /**
     * The first line, of all the process has written, that matches; waits up to {@code seconds} for it to
     * come. Lines from different threads come in any order, so earlier lines count too.
     */
    public String await(Predicate<String> wanted, String what, int seconds) throws InterruptedException {
        for (String line : seen) {
            if (wanted.test(line)) {
                return line;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("no line with " + what + " within " + seconds + " s; output so far:\n"
                        + String.join("\n", seen));
            }
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
    }

    public String await(String contained, int seconds) throws InterruptedException {
        return await(line -> line.contains(contained), "\"" + contained + "\"", seconds);
    }

    /**
     * Waits until {@code count} lines, of all the process has written, contain {@code contained}; a
     * soak counts finished probes this way instead of sleeping.
     */
    public void awaitCount(String contained, int count, int seconds) throws InterruptedException {
        int found = (int) seen.stream().filter(line -> line.contains(contained)).count();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (found < count) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError("only " + found + " of " + count + " lines with \"" + contained
                        + "\" within " + seconds + " s; last output:\n" + tail(40));
            }
            seen.add(line);
            if (line.contains(contained)) {
                found++;
            }
        }
    }

    private String tail(int n) {
        return String.join("\n", seen.subList(Math.max(0, seen.size() - n), seen.size()));
    }

    /** Waits for the process to exit and everything it wrote to be read; returns all of it. */
    public String awaitEnd(int seconds) throws InterruptedException {
        if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
            throw new AssertionError("still running after " + seconds + " s; its threads and last output:\n"
                    + threadDump());
        }
        reader.join(TimeUnit.SECONDS.toMillis(seconds));
        lines.drainTo(seen);
        return output();
    }

    /** A Java child's threads, as SIGQUIT makes it print them, with the lines before: why it has not ended. */
    private String threadDump() throws InterruptedException {
        try {
            signal("QUIT");
        } catch (IOException | AssertionError e) {
            return tail(40) + "\n(no thread dump: " + e.getMessage() + ")";
        }
        process.waitFor(3, TimeUnit.SECONDS);
        lines.drainTo(seen);
        return tail(400);
    }

    public void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-s", name, Long.toString(process.pid())).inheritIO().start();
        if (kill.waitFor() != 0) {
            throw new AssertionError("kill -s " + name + " " + process.pid() + " failed");
        }
    }

    public Process process() {
        return process;
    }

    public String output() {
        return String.join("\n", seen);
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
