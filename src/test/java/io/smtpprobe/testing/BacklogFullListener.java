package io.smtpprobe.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.util.ArrayList;
import java.util.List;

/**
 * A listener that never accepts, with its accept queue filled. Linux drops a SYN that arrives at a
 * full accept queue without answering, so the next client sees exactly what a silently filtered port
 * (Azure's port-25 block) looks like: a connect that times out.
 */
public final class BacklogFullListener implements AutoCloseable {
    private final ServerSocket listener;
    private final List<Socket> fillers = new ArrayList<>();

    /** A silent port on 127.0.0.1, at a random port. */
    public BacklogFullListener() throws IOException {
        this(InetAddress.getLoopbackAddress(), 0);
    }

    /** A silent port at a chosen loopback address and port (root may bind 127.x.y.z:25). */
    public BacklogFullListener(InetAddress bind, int port) throws IOException {
        listener = new ServerSocket();
        listener.setReuseAddress(true);
        listener.bind(new InetSocketAddress(bind, port), 1);
        fill();
    }

    private void fill() throws IOException {
        for (int i = 0; i < 64; i++) {
            Socket socket = new Socket();
            try {
                socket.connect(listener.getLocalSocketAddress(), 200);
                fillers.add(socket);
            } catch (SocketTimeoutException e) {
                socket.close();
                return;
            }
        }
        throw new IllegalStateException("the accept queue of " + listener + " never filled up");
    }

    public int port() {
        return listener.getLocalPort();
    }

    @Override
    public void close() throws IOException {
        for (Socket socket : fillers) {
            socket.close();
        }
        listener.close();
    }
}
