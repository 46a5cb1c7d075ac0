package io.smtpprobe.robustness;

import static org.assertj.core.api.Assertions.assertThat;

import io.smtpprobe.testing.ChildProcess;
import io.smtpprobe.testing.Http;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code smtp-probe run} as its own JVM, started with the systemd unit's JVM options (read from
 * systemd/smtp-probe.service, so the tests follow the unit), so that what a
 * test reads from its {@code /metrics} (heap, descriptors, threads) is the agent's alone.
 */
final class AgentProcess implements AutoCloseable {
    /** Where the unit sets the JVM's options; the tests run the agent with exactly those. */
    static final Path UNIT = Path.of("systemd", "smtp-probe.service");
    private static final Pattern JAVA_OPTS = Pattern.compile("^Environment=\"JAVA_OPTS=([^\"]*)\"$", Pattern.MULTILINE);
    private static final Pattern XMX = Pattern.compile("-Xmx(\\d+)([kKmMgG]?)");

    private static final Pattern LISTENING = Pattern.compile("msg=listening address=127\\.0\\.0\\.1:(\\d+)");

    private final ChildProcess process;
    private final Http http;

    private AgentProcess(ChildProcess process, Http http) {
        this.process = process;
        this.http = http;
    }

    /** Starts the agent on {@code config} with debug logging (a line per finished probe) and waits until it serves. */
    static AgentProcess start(Path config) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(unitJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), io.smtpprobe.cli.Main.class.getName(),
                "run", "--config", config.toString(), "--web.listen-address", "127.0.0.1:0", "--log.level", "debug"));
        ChildProcess process = new ChildProcess(command);
        try {
            Matcher m = LISTENING.matcher(process.await(line -> LISTENING.matcher(line).find(), "listening", 60));
            assertThat(m.find()).isTrue();
            return new AgentProcess(process, new Http(Integer.parseInt(m.group(1))));
        } catch (AssertionError | InterruptedException e) {
            process.close();
            throw e;
        }
    }

    /** Starts {@code mainClass} (a daemon main of the tests) with the unit's JVM options and waits until it serves. */
    static AgentProcess startMain(Class<?> mainClass, String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(unitJvmOptions());
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass.getName()));
        command.addAll(List.of(args));
        ChildProcess process = new ChildProcess(command);
        try {
            Matcher m = LISTENING.matcher(process.await(line -> LISTENING.matcher(line).find(), "listening", 60));
            assertThat(m.find()).isTrue();
            return new AgentProcess(process, new Http(Integer.parseInt(m.group(1))));
        } catch (AssertionError | InterruptedException e) {
            process.close();
            throw e;
        }
    }

    /** {@code JAVA_OPTS} of the systemd unit, which must cap the heap and exit on OutOfMemoryError. */
    static List<String> unitJvmOptions() throws IOException {
        Matcher m = JAVA_OPTS.matcher(Files.readString(UNIT));
        assertThat(m.find()).as("Environment=\"JAVA_OPTS=...\" in %s", UNIT).isTrue();
        List<String> options = List.of(m.group(1).trim().split("\\s+"));
        assertThat(options).as("JAVA_OPTS of %s", UNIT).contains("-XX:+ExitOnOutOfMemoryError")
                .anyMatch(o -> XMX.matcher(o).matches());
        return options;
    }

    /** The unit's {@code -Xmx} in bytes. */
    static long unitMaxHeapBytes() throws IOException {
        for (String option : unitJvmOptions()) {
            Matcher m = XMX.matcher(option);
            if (m.matches()) {
                long shift = switch (m.group(2).toLowerCase(java.util.Locale.ROOT)) {
                    case "k" -> 10;
                    case "m" -> 20;
                    case "g" -> 30;
                    default -> 0;
                };
                return Long.parseLong(m.group(1)) << shift;
            }
        }
        throw new AssertionError("no -Xmx in " + UNIT);
    }

    ChildProcess process() {
        return process;
    }

    Http http() {
        return http;
    }

    /** Waits until {@code count} probes have finished since the agent started. */
    void awaitProbes(int count, int seconds) throws InterruptedException {
        process.awaitCount("msg=\"probe finished\"", count, seconds);
    }

    /** One scrape of {@code /metrics}, which must answer 200. */
    Scrape scrape() throws IOException, InterruptedException {
        HttpResponse<String> response = http.get("/metrics");
        assertThat(response.statusCode()).as("/metrics status").isEqualTo(200);
        return new Scrape(response.body());
    }

    @Override
    public void close() {
        process.close();
    }

    /** A Prometheus text exposition, read by series. */
    record Scrape(String text) {
        /** The value of a series given in full ({@code name{labels}}) or without labels. */
        double value(String series) {
            return text.lines().filter(l -> l.startsWith(series + " ")).findFirst()
                    .map(l -> Double.parseDouble(l.substring(series.length() + 1).trim()))
                    .orElseThrow(() -> new AssertionError("no series " + series + " in:\n" + text));
        }

        /** The sum of every series of {@code name} whose labels contain {@code labelPart}. */
        double sum(String name, String labelPart) {
            return text.lines().filter(l -> l.startsWith(name + "{") && l.contains(labelPart))
                    .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1))).sum();
        }

        /** Heap in use, all pools together. */
        long heapUsed() {
            return (long) sum("jvm_memory_used_bytes", "area=\"heap\"");
        }

        long openFiles() {
            return (long) value("process_open_fds");
        }

        long liveThreads() {
            return (long) value("jvm_threads_live_threads");
        }

        /** {@code smtp_probe_runs_total} by target, then outcome, counting only outcomes that occurred. */
        Map<String, Map<String, Double>> runsByTargetAndOutcome() {
            Pattern runs = Pattern.compile("smtp_probe_runs_total\\{outcome=\"([a-z0-9_]+)\",target=\"([^\"]+)\"} (\\S+)");
            Map<String, Map<String, Double>> byTarget = new TreeMap<>();
            text.lines().map(runs::matcher).filter(Matcher::matches).forEach(m -> {
                double count = Double.parseDouble(m.group(3));
                if (count > 0) {
                    byTarget.computeIfAbsent(m.group(2), t -> new TreeMap<>()).put(m.group(1), count);
                }
            });
            return byTarget;
        }

        long probesRun() {
            return (long) sum("smtp_probe_runs_total", "");
        }
    }
}
