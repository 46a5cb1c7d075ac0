package io.smtpprobe.dashboards;

import io.smtpprobe.testing.ChildProcess;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One smtp-probe agent as its own JVM ({@code smtp-probe run}), listening on a fixed loopback address
 * so that a restart comes back under the same {@code instance}. The JVM is kept small (a 32 MB heap,
 * the C1 compiler only, class data sharing) so that twenty of them start quickly on two cores.
 */
final class FleetAgent implements AutoCloseable {

    private final Path config;
    private final String listen;
    private ChildProcess process;

    private FleetAgent(Path config, String listen) {
        this.config = config;
        this.listen = listen;
    }

    /** Starts the JVM; {@link #awaitListening} waits for it to serve. */
    static FleetAgent launch(Path config, String listen) throws IOException {
        FleetAgent agent = new FleetAgent(config, listen);
        agent.launch();
        return agent;
    }

    private void launch() throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx32m", "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"), io.smtpprobe.cli.Main.class.getName(),
                "run", "--config", config.toString(), "--web.listen-address", listen, "--log.level", "info"));
        process = new ChildProcess(command);
    }

    void awaitListening(int seconds) throws InterruptedException {
        process.await("msg=listening", seconds);
    }

    /** The scrape address, which is the {@code instance} label Prometheus gives it. */
    String instance() {
        return listen;
    }

    /** SIGTERM, as systemd stops the service, and waits for the JVM to exit. */
    void stop() throws IOException, InterruptedException {
        process.signal("TERM");
        process.awaitEnd(30);
    }

    /** Starts the same agent again, on the same address, as systemd would after an upgrade. */
    void restart() throws IOException, InterruptedException {
        launch();
        awaitListening(120);
    }

    String output() {
        return process.output();
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }
}
