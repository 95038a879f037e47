package tlsfloor.agent;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.Socket;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * The context's own factory; each socket it makes goes through Sockets.watch. A legacy host name
 * the program gives is swapped for the standard one (Rewrite.peer), so that JSSE's SNI and
 * endpoint identification use the name the server's certificate carries.
 */
final class WatchingSocketFactory extends SSLSocketFactory {
    private final SSLSocketFactory real;
    private final boolean changed;

    /** Sockets come wrapped (FloorSocket), so the program's own pins are seen. */
    WatchingSocketFactory(SSLSocketFactory real, boolean changed) {
        this.real = real;
        this.changed = changed;
    }

    private Socket watch(Socket s) {
        if (!(s instanceof SSLSocket))
            return s;
        return new FloorSocket((SSLSocket) s, Sockets.watch((SSLSocket) s, changed));
    }

    @Override
    public String[] getDefaultCipherSuites() {
        return real.getDefaultCipherSuites();
    }

    @Override
    public String[] getSupportedCipherSuites() {
        return real.getSupportedCipherSuites();
    }

    @Override
    public Socket createSocket() throws IOException {
        return watch(real.createSocket());
    }

    @Override
    public Socket createSocket(Socket s, String host, int port, boolean autoClose) throws IOException {
        return watch(real.createSocket(s, Rewrite.peer(host, "java SSLSocketFactory.createSocket"), port, autoClose));
    }

    @Override
    public Socket createSocket(Socket s, InputStream consumed, boolean autoClose) throws IOException {
        return watch(real.createSocket(s, consumed, autoClose));
    }

    @Override
    public Socket createSocket(String host, int port) throws IOException {
        return watch(real.createSocket(Rewrite.peer(host, "java SSLSocketFactory.createSocket"), port));
    }

    @Override
    public Socket createSocket(String host, int port, InetAddress local, int localPort) throws IOException {
        return watch(real.createSocket(Rewrite.peer(host, "java SSLSocketFactory.createSocket"), port, local, localPort));
    }

    @Override
    public Socket createSocket(InetAddress host, int port) throws IOException {
        return watch(real.createSocket(host, port));
    }

    @Override
    public Socket createSocket(InetAddress host, int port, InetAddress local, int localPort) throws IOException {
        return watch(real.createSocket(host, port, local, localPort));
    }
}
