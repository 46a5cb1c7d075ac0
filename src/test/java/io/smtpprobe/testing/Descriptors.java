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

    /**
     * Descriptors of this process that are TCP sockets (IPv4 or IPv6) whose remote port is {@code port}.
     *
     * <p>The tables in {@code /proc/self/net} list the whole network namespace, which other test forks change
     * while they are read; the kernel hands them out a page at a time and may skip an entry that moved between
     * pages. So each table is read whole, several times, and the inodes found in any reading are kept: a socket
     * that is open is in at least one of them, and one that closed in between has no descriptor left to count.
     */
    public static long socketsTo(int port) throws IOException {
        Set<String> inodes = new HashSet<>();
        for (int reading = 0; reading < 4; reading++) {
            for (String table : List.of("/proc/self/net/tcp", "/proc/self/net/tcp6")) {
                Path file = Path.of(table);
                if (Files.exists(file)) {
                    inodes.addAll(inodesTo(port, Files.readAllLines(file)));
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

    private static Set<String> inodesTo(int port, List<String> table) {
        Set<String> inodes = new HashSet<>();
        for (String line : table.subList(1, table.size())) {
            String[] fields = line.trim().split("\\s+");
            String remote = fields[2];
            if (Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16) == port && !fields[9].equals("0")) {
                inodes.add("socket:[" + fields[9] + "]");
            }
        }
        return inodes;
    }
}
