package tlsfloor.agent;

import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * An engine of a context the agent handed out, passed through whole except where a program pins
 * versions (setEnabledProtocols, setSSLParameters with a list below the floor: the floor's
 * versions added in enforce mode, protocols_raised either way) and where its handshake ends:
 * the wrap/unwrap whose result says FINISHED gives a handshake record, an SSLException before
 * that a handshake_failed. On the data path that is one comparison per call.
 */
final class FloorEngine extends SSLEngine {
    private final SSLEngine e;
    private final String madeBy;
    private volatile boolean changed;
    /** The program set its own versions: setUseClientMode no longer swaps in the context's. */
    private volatile boolean programPinned;
    private final AtomicBoolean recorded = new AtomicBoolean();

    /** The version of a context still pinned (audit mode), or null (Sockets.raiseDefaults). */
    private final String pin;

    FloorEngine(SSLEngine e, String madeBy, boolean changed, String pin) {
        super(e.getPeerHost(), e.getPeerPort());
        this.e = e;
        this.madeBy = madeBy;
        this.changed = changed;
        this.pin = pin;
    }

    @Override
    public void setEnabledProtocols(String[] protocols) {
        programPinned = true;
        String[] use = Sockets.raisePin(protocols, "SSLEngine.setEnabledProtocols");
        if (use != protocols)
            changed = true;
        e.setEnabledProtocols(use);
    }

    /** A pinned context's engine gets its client defaults here (it starts in server mode). */
    @Override
    public void setUseClientMode(boolean mode) {
        e.setUseClientMode(mode);
        if (!programPinned && Sockets.raiseDefaults(e, pin))
            changed = true;
    }

    /** Protocols and SNI names handled by Sockets.setParameters. */
    @Override
    public void setSSLParameters(SSLParameters p) {
        if (p != null && p.getProtocols() != null)
            programPinned = true;
        if (Sockets.setParameters(p, q -> e.setSSLParameters(q)))
            changed = true;
    }

    /** One wrap or unwrap of the JDK's engine (each may end or fail the handshake). */
    private interface Step {
        SSLEngineResult run() throws SSLException;
    }

    /** Every wrap and unwrap: the result looked at (seen), a failure recorded (failed). */
    private SSLEngineResult step(Step s) throws SSLException {
        try {
            return seen(s.run());
        } catch (SSLException x) {
            throw failed(x);
        }
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, int off, int len, ByteBuffer dst) throws SSLException {
        return step(() -> e.wrap(srcs, off, len, dst));
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return step(() -> e.wrap(src, dst));
    }

    @Override
    public SSLEngineResult wrap(ByteBuffer[] srcs, ByteBuffer dst) throws SSLException {
        return step(() -> e.wrap(srcs, dst));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts, int off, int len) throws SSLException {
        return step(() -> e.unwrap(src, dsts, off, len));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer dst) throws SSLException {
        return step(() -> e.unwrap(src, dst));
    }

    @Override
    public SSLEngineResult unwrap(ByteBuffer src, ByteBuffer[] dsts) throws SSLException {
        return step(() -> e.unwrap(src, dsts));
    }

    /** JSSE refuses here when no enabled version can be used at all ("No appropriate protocol"). */
    @Override
    public void beginHandshake() throws SSLException {
        try {
            e.beginHandshake();
        } catch (SSLException x) {
            throw failed(x);
        }
    }

    /** The call that finished the handshake records it (once; a renegotiation is not a new one). */
    private SSLEngineResult seen(SSLEngineResult r) {
        if (r.getHandshakeStatus() == SSLEngineResult.HandshakeStatus.FINISHED && recorded.compareAndSet(false, true))
            Sockets.engineHandshake(e, madeBy, changed);
        return r;
    }

    /** An exception before the first handshake finished is the handshake's failure. */
    private SSLException failed(SSLException x) {
        if (recorded.compareAndSet(false, true))
            Sockets.engineFailed(e, x);
        return x;
    }

    // ---- the rest: the JDK's engine, unchanged

    @Override public Runnable getDelegatedTask() { return e.getDelegatedTask(); }
    @Override public void closeInbound() throws SSLException { e.closeInbound(); }
    @Override public boolean isInboundDone() { return e.isInboundDone(); }
    @Override public void closeOutbound() { e.closeOutbound(); }
    @Override public boolean isOutboundDone() { return e.isOutboundDone(); }
    @Override public String[] getSupportedCipherSuites() { return e.getSupportedCipherSuites(); }
    @Override public String[] getEnabledCipherSuites() { return e.getEnabledCipherSuites(); }
    @Override public void setEnabledCipherSuites(String[] suites) { e.setEnabledCipherSuites(suites); }
    @Override public String[] getSupportedProtocols() { return e.getSupportedProtocols(); }
    @Override public String[] getEnabledProtocols() { return e.getEnabledProtocols(); }
    @Override public SSLSession getSession() { return e.getSession(); }
    @Override public SSLSession getHandshakeSession() { return e.getHandshakeSession(); }
    @Override public SSLEngineResult.HandshakeStatus getHandshakeStatus() { return e.getHandshakeStatus(); }
    @Override public boolean getUseClientMode() { return e.getUseClientMode(); }
    @Override public void setNeedClientAuth(boolean need) { e.setNeedClientAuth(need); }
    @Override public boolean getNeedClientAuth() { return e.getNeedClientAuth(); }
    @Override public void setWantClientAuth(boolean want) { e.setWantClientAuth(want); }
    @Override public boolean getWantClientAuth() { return e.getWantClientAuth(); }
    @Override public void setEnableSessionCreation(boolean flag) { e.setEnableSessionCreation(flag); }
    @Override public boolean getEnableSessionCreation() { return e.getEnableSessionCreation(); }
    @Override public SSLParameters getSSLParameters() { return e.getSSLParameters(); }
    @Override public String toString() { return e.toString(); }

    /** Java 9+ (ALPN; also 8u252+): reached through reflection, the agent is Java 8 bytecode. */
    public String getApplicationProtocol() { return (String) Sockets.callOn(SSLEngine.class, e, "getApplicationProtocol"); }
    public String getHandshakeApplicationProtocol() { return (String) Sockets.callOn(SSLEngine.class, e, "getHandshakeApplicationProtocol"); }

    public java.util.function.BiFunction<SSLEngine, java.util.List<String>, String> getHandshakeApplicationProtocolSelector() {
        @SuppressWarnings("unchecked")
        java.util.function.BiFunction<SSLEngine, java.util.List<String>, String> f =
                (java.util.function.BiFunction<SSLEngine, java.util.List<String>, String>) Sockets.callOn(
                        SSLEngine.class, e, "getHandshakeApplicationProtocolSelector");
        return f;
    }

    public void setHandshakeApplicationProtocolSelector(java.util.function.BiFunction<SSLEngine, java.util.List<String>, String> f) {
        Sockets.callOn(SSLEngine.class, e, "setHandshakeApplicationProtocolSelector", f);
    }
}
