package tlsfloor.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLServerSocketFactory;

/** The context's own server socket factory; each server socket comes wrapped (FloorServerSocket). */
final class WatchingServerSocketFactory extends SSLServerSocketFactory {
    private final SSLServerSocketFactory real;
    private final boolean changed;

    WatchingServerSocketFactory(SSLServerSocketFactory real, boolean changed) {
        this.real = real;
        this.changed = changed;
    }

    private ServerSocket watch(ServerSocket s) throws IOException {
        return s instanceof SSLServerSocket ? new FloorServerSocket((SSLServerSocket) s, changed) : s;
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
    public ServerSocket createServerSocket() throws IOException {
        return watch(real.createServerSocket());
    }

    @Override
    public ServerSocket createServerSocket(int port) throws IOException {
        return watch(real.createServerSocket(port));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog) throws IOException {
        return watch(real.createServerSocket(port, backlog));
    }

    @Override
    public ServerSocket createServerSocket(int port, int backlog, InetAddress address) throws IOException {
        return watch(real.createServerSocket(port, backlog, address));
    }
}
