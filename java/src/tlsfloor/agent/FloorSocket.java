package tlsfloor.agent;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.SocketAddress;
import java.net.SocketException;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/**
 * A socket of a context the agent handed out (the default one, "TLS", pinned ones; accepted ones
 * of its server sockets), passed through whole except where a program pins versions:
 * setEnabledProtocols and setSSLParameters with a list below the floor get the floor's versions
 * added (enforce); a failed handshake, explicit or started by the first read or write, is
 * recorded; a legacy host name given to connect() is swapped for the standard one. Every other
 * call goes to the JDK's socket as it is.
 */
final class FloorSocket extends SSLSocket {
    private final SSLSocket s;
    /** Whether tlsfloor changed this connection (its handshake record says so). */
    private final java.util.concurrent.atomic.AtomicBoolean changed;
    private final java.util.concurrent.atomic.AtomicBoolean failureRecorded =
            new java.util.concurrent.atomic.AtomicBoolean();

    FloorSocket(SSLSocket s, java.util.concurrent.atomic.AtomicBoolean changed) {
        this.s = s;
        this.changed = changed;
    }

    /** One handshake_failed per socket, whichever call met the failure first. */
    void recordFailure(IOException e, String via) {
        if (failureRecorded.compareAndSet(false, true))
            Sockets.failed(s, e, via);
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        String[] use = Sockets.raisePin(protocols, "SSLSocket.setEnabledProtocols");
        if (use != protocols)
            changed.set(true);
        s.setEnabledProtocols(use);
    }

    /** Protocols and SNI names handled by Sockets.setParameters. */
    @Override
    public void setSSLParameters(SSLParameters p) {
        if (Sockets.setParameters(p, q -> s.setSSLParameters(q)))
            changed.set(true);
    }

    @Override
    public void startHandshake() throws IOException {
        try {
            s.startHandshake();
        } catch (IOException e) {
            recordFailure(e, "startHandshake");
            throw e;
        }
    }

    // ---- the rest: the JDK's socket, unchanged

    @Override public String[] getSupportedCipherSuites() { return s.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return s.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { s.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return s.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return s.getEnabledProtocols(); }
    @Override public SSLSession getSession() { return s.getSession(); }
    @Override public SSLSession getHandshakeSession() { return s.getHandshakeSession(); }
    @Override public void addHandshakeCompletedListener(HandshakeCompletedListener l) { s.addHandshakeCompletedListener(l); }
    @Override public void removeHandshakeCompletedListener(HandshakeCompletedListener l) { s.removeHandshakeCompletedListener(l); }
    @Override public void setUseClientMode(boolean mode) { s.setUseClientMode(mode); }
    @Override public boolean getUseClientMode() { return s.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { s.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return s.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { s.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return s.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { s.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return s.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return s.getSSLParameters(); }

    /** Java 9+ (ALPN; also 8u252+): reached through reflection, the agent is Java 8 bytecode. */
    public String getApplicationProtocol() { return (String) Sockets.call(s, "getApplicationProtocol"); }
    public String getHandshakeApplicationProtocol() { return (String) Sockets.call(s, "getHandshakeApplicationProtocol"); }

    public java.util.function.BiFunction<SSLSocket, java.util.List<String>, String> getHandshakeApplicationProtocolSelector() {
        @SuppressWarnings("unchecked")
        java.util.function.BiFunction<SSLSocket, java.util.List<String>, String> f =
                (java.util.function.BiFunction<SSLSocket, java.util.List<String>, String>) Sockets.call(s, "getHandshakeApplicationProtocolSelector");
        return f;
    }

    public void setHandshakeApplicationProtocolSelector(java.util.function.BiFunction<SSLSocket, java.util.List<String>, String> f) {
        Sockets.call(s, "setHandshakeApplicationProtocolSelector", f);
    }

    /** Socket options (Java 9+), likewise. */
    public <T> java.net.Socket setOption(java.net.SocketOption<T> name, T value) throws IOException {
        Sockets.callIo(s, "setOption", name, value);
        return this;
    }

    @SuppressWarnings("unchecked")
    public <T> T getOption(java.net.SocketOption<T> name) throws IOException {
        return (T) Sockets.callIo(s, "getOption", name);
    }

    @SuppressWarnings("unchecked")
    public java.util.Set<java.net.SocketOption<?>> supportedOptions() {
        return (java.util.Set<java.net.SocketOption<?>>) Sockets.call(s, "supportedOptions");
    }

    @Override public void connect(SocketAddress a) throws IOException { s.connect(standardName(a)); }
    @Override public void connect(SocketAddress a, int timeout) throws IOException { s.connect(standardName(a), timeout); }

    /**
     * An unconnected socket (HttpsURLConnection's) takes its peer host for SNI and endpoint
     * identification from the name the address was looked up by: a legacy one becomes the
     * standard one, same address (the shim already resolved it).
     */
    private static SocketAddress standardName(SocketAddress a) throws IOException {
        if (!(a instanceof java.net.InetSocketAddress))
            return a;
        java.net.InetSocketAddress in = (java.net.InetSocketAddress) a;
        InetAddress addr = in.getAddress();
        if (addr == null || Rewrite.lookup(in.getHostString()) == null)
            return a;
        String host = Rewrite.peer(in.getHostString(), "java SSLSocket.connect");
        if (host.equals(in.getHostString()))
            return a;
        return new java.net.InetSocketAddress(InetAddress.getByAddress(host, addr.getAddress()), in.getPort());
    }
    @Override public void bind(SocketAddress a) throws IOException { s.bind(a); }
    @Override public InetAddress getInetAddress() { return s.getInetAddress(); }
    @Override public InetAddress getLocalAddress() { return s.getLocalAddress(); }
    @Override public int getPort() { return s.getPort(); }
    @Override public int getLocalPort() { return s.getLocalPort(); }
    @Override public SocketAddress getRemoteSocketAddress() { return s.getRemoteSocketAddress(); }
    @Override public SocketAddress getLocalSocketAddress() { return s.getLocalSocketAddress(); }
    @Override public java.nio.channels.SocketChannel getChannel() { return s.getChannel(); }
    @Override public InputStream getInputStream() throws IOException { return new WatchedStreams.In(s.getInputStream(), this); }
    @Override public OutputStream getOutputStream() throws IOException { return new WatchedStreams.Out(s.getOutputStream(), this); }
    @Override public void setTcpNoDelay(boolean on) throws SocketException { s.setTcpNoDelay(on); }
    @Override public boolean getTcpNoDelay() throws SocketException { return s.getTcpNoDelay(); }
    @Override public void setSoLinger(boolean on, int linger) throws SocketException { s.setSoLinger(on, linger); }
    @Override public int getSoLinger() throws SocketException { return s.getSoLinger(); }
    @Override public void sendUrgentData(int data) throws IOException { s.sendUrgentData(data); }
    @Override public void setOOBInline(boolean on) throws SocketException { s.setOOBInline(on); }
    @Override public boolean getOOBInline() throws SocketException { return s.getOOBInline(); }
    @Override public void setSoTimeout(int timeout) throws SocketException { s.setSoTimeout(timeout); }
    @Override public int getSoTimeout() throws SocketException { return s.getSoTimeout(); }
    @Override public void setSendBufferSize(int size) throws SocketException { s.setSendBufferSize(size); }
    @Override public int getSendBufferSize() throws SocketException { return s.getSendBufferSize(); }
    @Override public void setReceiveBufferSize(int size) throws SocketException { s.setReceiveBufferSize(size); }
    @Override public int getReceiveBufferSize() throws SocketException { return s.getReceiveBufferSize(); }
    @Override public void setKeepAlive(boolean on) throws SocketException { s.setKeepAlive(on); }
    @Override public boolean getKeepAlive() throws SocketException { return s.getKeepAlive(); }
    @Override public void setTrafficClass(int tc) throws SocketException { s.setTrafficClass(tc); }
    @Override public int getTrafficClass() throws SocketException { return s.getTrafficClass(); }
    @Override public void setReuseAddress(boolean on) throws SocketException { s.setReuseAddress(on); }
    @Override public boolean getReuseAddress() throws SocketException { return s.getReuseAddress(); }
    @Override public void close() throws IOException { s.close(); }
    @Override public void shutdownInput() throws IOException { s.shutdownInput(); }
    @Override public void shutdownOutput() throws IOException { s.shutdownOutput(); }
    @Override public String toString() { return s.toString(); }
    @Override public boolean isConnected() { return s.isConnected(); }
    @Override public boolean isBound() { return s.isBound(); }
    @Override public boolean isClosed() { return s.isClosed(); }
    @Override public boolean isInputShutdown() { return s.isInputShutdown(); }
    @Override public boolean isOutputShutdown() { return s.isOutputShutdown(); }
    @Override public void setPerformancePreferences(int c, int l, int b) { s.setPerformancePreferences(c, l, b); }
}
