package io.smtpprobe.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * This process's open TCP sockets to one port, read from {@code /proc}: what a leak test counts. The process's
 * whole descriptor table also holds what other tests in the same JVM open and close on their own threads (in a
 * reused fork, a socket of an earlier test closing a moment late once made such a count one off), so a test of
 * the prober counts only the sockets it could have leaked: those to its server.
 */
public final class Descriptors {
    private Descriptors() {}

    /** Descriptors of this process that are TCP sockets (IPv4 or IPv6) whose remote port is {@code port}. */
    public static long socketsTo(int port) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
            Path file = Path.of(table);
            if (!Files.exists(file)) {
                continue;
            }
            for (String line : Files.readAllLines(file).subList(1, Files.readAllLines(file).size())) {
                String[] fields = line.trim().split("\\s+");
                String remote = fields[2];
                if (Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16) == port && !fields[9].equals("0")) {
                    inodes.add("socket:[" + fields[9] + "]");
                }
            }
        }
        long count = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (inodes.contains(Files.readSymbolicLink(fd).toString())) {
                        count++;
                    }
                } catch (IOException e) {
                    // Closed while listed (the listing's own descriptor among them): not open.
                }
            }
        }
        return count;
    }
}
