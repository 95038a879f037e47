package tlsfloor.agent;

import java.io.IOException;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;

/** Sockets and engines of the contexts the agent hands out. */
final class Sockets {
    private Sockets() {
    }

    /**
     * A socket whose enabled versions all lie below the floor gets the floor's added (enforce);
     * each gets a listener that records its handshake. The listener runs on a thread of the JDK's
     * own, so the caller is taken now, where the program asked for the socket.
     */
    static void watch(SSLSocket s, boolean changed) {
        if (Config.log.equals("none") && !Config.enforcing())
            return;
        boolean raised = raise(s);
        final String caller = Log.caller();
        final boolean anyChange = changed || raised;
        s.addHandshakeCompletedListener(new HandshakeCompletedListener() {
            @Override
            public void handshakeCompleted(HandshakeCompletedEvent e) {
                record(e, caller, anyChange);
            }
        });
    }

    static SSLEngine watch(SSLEngine e) {
        String[] enabled = e.getEnabledProtocols();
        if (Config.enforcing() && Versions.belowFloor(enabled))
            e.setEnabledProtocols(Versions.raise(enabled));
        return e;
    }

    private static boolean raise(SSLSocket s) {
        String[] enabled = s.getEnabledProtocols();
        if (!Versions.belowFloor(enabled))
            return false;
        boolean enforce = Config.enforcing();
        String[] raised = Versions.raise(enabled);
        if (enforce)
            s.setEnabledProtocols(raised);
        Log.emit("protocols_raised", "old", Versions.join(enabled, ","), "new", Versions.join(raised, ","),
                "via", "SSLContext socket", "applied", enforce);
        return enforce;
    }

    /**
     * A version list a program sets on a socket: the list to use (the floor's versions added in
     * enforce mode when all it names lie below the floor), reported as protocols_raised.
     */
    static String[] raisePin(String[] asked, String via) {
        if (asked == null || !Versions.belowFloor(asked))
            return asked;
        boolean enforce = Config.enforcing();
        String[] raised = Versions.raise(asked);
        Log.emit("protocols_raised", "old", Versions.join(asked, ","), "new", Versions.join(raised, ","),
                "via", via, "applied", enforce);
        return enforce ? raised : asked;
    }

    static void failed(SSLSocket s, Exception e) {
        try {
            Log.emit("handshake_failed", "error", String.valueOf(e.getMessage()), "peer",
                    s.getInetAddress() == null ? null : s.getInetAddress().getHostAddress(), "port", s.getPort(),
                    "enabled", Versions.join(s.getEnabledProtocols(), ","));
        } catch (Throwable t) {
            // the program gets its own exception regardless
        }
    }

    /** A public method of the JDK's socket newer than Java 8's API, by name. */
    static Object call(Object target, String name, Object... args) {
        try {
            return callIo(target, name, args);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Object callIo(Object target, String name, Object... args) throws IOException {
        java.lang.reflect.Method m = null;
        for (java.lang.reflect.Method c : SSLSocket.class.getMethods())
            if (c.getName().equals(name) && c.getParameterTypes().length == args.length)
                m = c;
        if (m == null)
            throw new UnsupportedOperationException(name);
        try {
            return m.invoke(target, args);
        } catch (java.lang.reflect.InvocationTargetException e) {
            Throwable t = e.getCause();
            if (t instanceof IOException)
                throw (IOException) t;
            if (t instanceof RuntimeException)
                throw (RuntimeException) t;
            if (t instanceof Error)
                throw (Error) t;
            throw new IOException(t);
        } catch (IllegalAccessException e) {
            throw new UnsupportedOperationException(name, e);
        }
    }

    private static void record(HandshakeCompletedEvent e, String caller, boolean changed) {
        try {
            SSLSession ss = e.getSession();
            String version = ss.getProtocol();
            SSLSocket s = e.getSocket();
            int port = s.getPort();
            String peer = s.getInetAddress() == null ? null : s.getInetAddress().getHostAddress();
            Log.emitAs(caller, "handshake", "version", version, "cipher", ss.getCipherSuite(), "sni",
                    ss.getPeerHost(), "peer", peer, "below_floor", Versions.rank(version) < Config.floor,
                    "changed", changed, "port", port);
        } catch (Throwable t) {
            // a record lost; the connection is the program's
        }
    }
}
