package tlsfloor.agent;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.net.ssl.HandshakeCompletedEvent;
import javax.net.ssl.HandshakeCompletedListener;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SNIServerName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
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
    static AtomicBoolean watch(SSLSocket s, boolean changed) {
        final AtomicBoolean anyChange = new AtomicBoolean(changed);
        if (Config.log.equals("none") && !Config.enforcing())
            return anyChange;
        if (raise(s))
            anyChange.set(true);
        final String caller = Log.caller();
        s.addHandshakeCompletedListener(new HandshakeCompletedListener() {
            @Override
            public void handshakeCompleted(HandshakeCompletedEvent e) {
                record(e, caller, anyChange.get());
            }
        });
        return anyChange;
    }

    /**
     * An engine of a context the agent handed out: its versions raised as a socket's are (an
     * engine of a pinned context in audit mode is reported), wrapped so that the program's own
     * pins and its handshake are seen.
     */
    static SSLEngine watch(SSLEngine e, boolean changed, String pin) {
        boolean raised = raiseDefaults(e, pin);
        return new FloorEngine(e, Log.caller(), changed || raised, pin);
    }

    /**
     * An engine's versions as its context set them (at creation, and again when setUseClientMode
     * swaps the server's defaults for the client's): all below the floor are raised in enforce
     * mode, reported either way. An engine of a context still pinned (audit mode) is reported by
     * the context's version: the JDK may have left it no version at all (its own disabled list
     * takes TLSv1 away). True when raised.
     */
    static boolean raiseDefaults(SSLEngine e, String pin) {
        String[] enabled = e.getEnabledProtocols();
        String[] basis = enabled.length == 0 && pin != null ? new String[] { pin } : enabled;
        if (!Versions.belowFloor(basis))
            return false;
        boolean enforce = Config.enforcing();
        String[] up = Versions.raise(basis);
        if (enforce)
            e.setEnabledProtocols(up);
        Log.emit("protocols_raised", "old", Versions.join(basis, ","), "new", Versions.join(up, ","),
                "enabled", Versions.join(enabled, ","), "context", pin, "via", "SSLContext engine",
                "applied", enforce);
        return enforce;
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

    /** Where SSLParameters go: a socket's, a server socket's or an engine's setSSLParameters. */
    interface ParametersSink {
        void set(SSLParameters p);
    }

    /**
     * The program's SSLParameters, given to the JDK with its pins handled: protocols below the
     * floor raised (raisePin), a legacy host name among the SNI names swapped for the standard
     * one (HttpsURLConnection sets SNI itself). The caller's object is given back as it came.
     * True when something was changed.
     */
    static boolean setParameters(SSLParameters p, ParametersSink sink) {
        String[] asked = p == null ? null : p.getProtocols();
        String[] use = asked == null ? null : raisePin(asked, "SSLParameters.setProtocols");
        List<SNIServerName> names = p == null ? null : p.getServerNames();
        List<SNIServerName> std = standardNames(names);
        if (use == asked && std == names) {
            sink.set(p);
            return false;
        }
        p.setProtocols(use);
        p.setServerNames(std);
        try {
            sink.set(p);
        } finally {
            p.setProtocols(asked);
            p.setServerNames(names);
        }
        return true;
    }

    /** The list with legacy host names swapped (enforce), or the same list when none is one. */
    private static List<SNIServerName> standardNames(List<SNIServerName> names) {
        if (names == null)
            return null;
        List<SNIServerName> out = new ArrayList<SNIServerName>();
        boolean changed = false;
        for (SNIServerName n : names) {
            String host = n instanceof SNIHostName ? ((SNIHostName) n).getAsciiName() : null;
            String to = host == null || Rewrite.lookup(host) == null ? host : Rewrite.peer(host, "java SNI");
            if (to != null && !to.equals(host)) {
                out.add(new SNIHostName(to));
                changed = true;
            } else {
                out.add(n);
            }
        }
        return changed ? out : names;
    }

    static void failed(SSLSocket s, Exception e, String via) {
        try {
            String why = String.valueOf(e.getMessage());
            Log.emit("handshake_failed", "error", why, "reason", why, "peer",
                    s.getInetAddress() == null ? null : s.getInetAddress().getHostAddress(), "port", s.getPort(),
                    "enabled", Versions.join(s.getEnabledProtocols(), ","), "via", via);
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

    /** The same for a public method of another JDK class (SSLEngine's, SSLServerSocket's). */
    static Object callOn(Class<?> api, Object target, String name, Object... args) {
        try {
            return callIo(api, target, name, args);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    static Object callIo(Object target, String name, Object... args) throws IOException {
        return callIo(SSLSocket.class, target, name, args);
    }

    static Object callIo(Class<?> api, Object target, String name, Object... args) throws IOException {
        java.lang.reflect.Method m = null;
        for (java.lang.reflect.Method c : api.getMethods())
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

    /** An engine's finished handshake; the caller is where the engine was made. */
    static void engineHandshake(SSLEngine e, String caller, boolean changed) {
        try {
            SSLSession ss = e.getSession();
            String version = ss.getProtocol();
            Log.emitAs(caller, "handshake", "version", version, "cipher", ss.getCipherSuite(), "sni",
                    e.getPeerHost(), "peer", e.getPeerHost(), "below_floor", Versions.rank(version) < Config.floor,
                    "changed", changed, "port", e.getPeerPort(), "via", "SSLEngine",
                    "role", e.getUseClientMode() ? "client" : "server");
        } catch (Throwable t) {
            // a record lost; the connection is the program's
        }
    }

    /** An engine's failed handshake; the caller is the code driving the engine. */
    static void engineFailed(SSLEngine e, Exception x) {
        try {
            String why = String.valueOf(x.getMessage());
            Log.emit("handshake_failed", "error", why, "reason", why, "peer", e.getPeerHost(), "port",
                    e.getPeerPort(), "enabled", Versions.join(e.getEnabledProtocols(), ","), "via", "SSLEngine",
                    "role", e.getUseClientMode() ? "client" : "server");
        } catch (Throwable t) {
            // the program gets its own exception regardless
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
