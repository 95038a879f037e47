package tlsfloor.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A server socket of a context the agent handed out, passed through whole except where a program
 * pins versions (setEnabledProtocols, setSSLParameters with a list below the floor: the floor's
 * versions added in enforce mode, protocols_raised either way); each accepted socket is watched
 * as a client's is (handshake record, its own pins, a failed handshake).
 */
final class FloorServerSocket extends SSLServerSocket {
    private final SSLServerSocket s;
    private final boolean changed;
    /** The program's pin on this server socket was raised: every accepted connection is changed. */
    private volatile boolean pinRaised;

    /** SSLServerSocket() makes an unbound socket object of its own; it is never bound or used. */
    FloorServerSocket(SSLServerSocket s, boolean changed) throws IOException {
        this.s = s;
        this.changed = changed;
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        String[] use = Sockets.raisePin(protocols, "SSLServerSocket.setEnabledProtocols");
        if (use != protocols)
            pinRaised = true;
        s.setEnabledProtocols(use);
    }

    /** Protocols and SNI names handled by Sockets.setParameters. */
    @Override
    public void setSSLParameters(SSLParameters p) {
        if (Sockets.setParameters(p, q -> s.setSSLParameters(q)))
            pinRaised = true;
    }

    @Override
    public Socket accept() throws IOException {
        Socket a = s.accept();
        if (!(a instanceof SSLSocket))
            return a;
        return new FloorSocket((SSLSocket) a, Sockets.watch((SSLSocket) a, changed || pinRaised));
    }

    // ---- the rest: the JDK's server socket, unchanged

    @Override public String[] getEnabledCipherSuites() { return s.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { s.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedCipherSuites() { return s.getSupportedCipherSuites(); }
    @Override public String[] getSupportedProtocols() { return s.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return s.getEnabledProtocols(); }
    @Override public void setNeedClientAuth(boolean need) { s.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return s.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { s.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return s.getWantClientAuth(); }
    @Override public void setUseClientMode(boolean mode) { s.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return s.getUseClientMode(); }
    @Override public void setEnableSessionCreation(boolean flag) { s.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return s.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return s.getSSLParameters(); }
    @Override public void bind(SocketAddress a) throws IOException { s.bind(a); }
    @Override public void bind(SocketAddress a, int backlog) throws IOException { s.bind(a, backlog); }
    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }
    @Override public void close() throws IOException { s.close(); }
    @Override public java.nio.channels.ServerSocketChannel getChannel() { return s.getChannel(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return s.isClosed(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { s.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws IOException { return s.getSoTimeout(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }
    @Override public String toString() { return s.toString(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }
    @Override public void setPerformancePreferences(int c, int l, int b) { s.setPerformancePreferences(c, l, b); }

    /** Socket options (Java 9+): reached through reflection, the agent is Java 8 bytecode. */
    public <T> ServerSocket setOption(java.net.SocketOption<T> name, T value) throws IOException {
        Sockets.callIo(ServerSocket.class, s, "setOption", name, value);
        return this;
    }

    @SuppressWarnings("unchecked")
    public <T> T getOption(java.net.SocketOption<T> name) throws IOException {
        return (T) Sockets.callIo(ServerSocket.class, s, "getOption", name);
    }

    @SuppressWarnings("unchecked")
    public java.util.Set<java.net.SocketOption<?>> supportedOptions() {
        return (java.util.Set<java.net.SocketOption<?>>) Sockets.callOn(ServerSocket.class, s, "supportedOptions");
    }
}
