package dev.keepsake.postgres.internal.copy;

import javax.net.SocketFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;

/**
 * A pgjdbc {@code socketFactory} for tests: its sockets read through {@link BatchedReads}, as
 * {@link dev.keepsake.postgres.CopySocketFactory}'s do, over a {@link CountingInput} on the real socket stream, so a
 * test sees how often the socket itself was read. pgjdbc makes the factory from its class name; the last socket made
 * is {@link #latest()} (tests open one connection at a time).
 */
public final class CountingSocketFactory extends SocketFactory {

    private static volatile CountingInput latest;

    /** The factory; pgjdbc makes one per connection from the class name. */
    public CountingSocketFactory() {
    }

    /** The counter of the last socket this factory made that was read from. */
    static CountingInput latest() {
        return latest;
    }

    @Override
    public Socket createSocket() {
        return new Socket() {
            private BatchedReads in;

            @Override
            public synchronized InputStream getInputStream() throws IOException {
                if (in == null) {
                    CountingInput counting = new CountingInput(super.getInputStream());
                    latest = counting;
                    in = new BatchedReads(counting);
                }
                return in;
            }
        };
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress localHost, int localPort) throws IOException {
        throw new UnsupportedOperationException("pgjdbc connects unconnected sockets");
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return connected(new InetSocketAddress(host, port));
    }

    @Override
    public Socket createSocket(InetAddress address, int port, InetAddress localAddress, int localPort) {
        throw new UnsupportedOperationException("pgjdbc connects unconnected sockets");
    }

    private Socket connected(InetSocketAddress remote) throws IOException {
        Socket socket = createSocket();
        socket.connect(remote);
        return socket;
    }
}
