package tlsfloor.agent;

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
