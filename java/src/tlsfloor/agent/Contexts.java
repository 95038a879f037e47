package tlsfloor.agent;

import java.security.KeyManagementException;
import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.SecureRandom;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLContextSpi;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLServerSocketFactory;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.SSLSocketFactory;
import javax.net.ssl.TrustManager;

/**
 * What SSLContext.getInstance("TLSv1" | "TLSv1.1" | "SSLv3") hands back: in enforce mode the
 * JDK's own "TLS" context (its versions, its trust, its host name checks: nothing is weakened,
 * the pin alone goes), in audit mode the pinned context as asked. Either way the context is
 * wrapped so its sockets get a handshake record.
 */
final class Contexts {
    /** The JSSE provider that really does the work (the JDK's SunJSSE, unregistered twin aside). */
    static volatile Provider backing;

    private Contexts() {
    }

    static SSLContextSpi pinned(String asked) throws NoSuchAlgorithmException {
        boolean enforce = Config.enforcing();
        SSLContext real = SSLContext.getInstance(enforce ? "TLS" : asked, backing);
        Log.emit("method_pinned", "old", asked, "new", "TLS", "version", Versions.name(Versions.rank(asked)),
                "via", "SSLContext.getInstance", "applied", enforce);
        return new Wrapped(real, enforce, enforce ? null : asked);
    }

    /**
     * A context the program asked for by a version-neutral name ("TLS", "TLSv1.2", "TLSv1.3"):
     * the JDK's own, wrapped so that pins set on its sockets, server sockets and engines are seen.
     */
    static SSLContextSpi watched(String asked) throws NoSuchAlgorithmException {
        return new Wrapped(SSLContext.getInstance(asked, backing), false, null);
    }

    /**
     * The JDK's default context (SSLContext.getDefault(), SSLSocketFactory.getDefault()), made
     * when the program first asks (its javax.net.ssl.* properties are read then, as without
     * the agent); its sockets come wrapped so that their version pins are seen.
     */
    static SSLContextSpi defaultContext() throws NoSuchAlgorithmException {
        return new Wrapped(SSLContext.getInstance("Default", backing), false, null);
    }

    /**
     * Delegates everything to a JDK context; its sockets, server sockets and engines come wrapped
     * (FloorSocket, FloorServerSocket, FloorEngine) so that the program's own pins are seen.
     */
    static final class Wrapped extends SSLContextSpi {
        private final SSLContext real;
        private final boolean changed;
        /** The version a context still pinned (audit mode) was asked for; null otherwise. */
        private final String pin;

        Wrapped(SSLContext real, boolean changed, String pin) {
            this.real = real;
            this.changed = changed;
            this.pin = pin;
        }

        @Override
        protected void engineInit(KeyManager[] km, TrustManager[] tm, SecureRandom sr) throws KeyManagementException {
            real.init(km, tm, sr);
        }

        @Override
        protected SSLSocketFactory engineGetSocketFactory() {
            return new WatchingSocketFactory(real.getSocketFactory(), changed);
        }

        @Override
        protected SSLServerSocketFactory engineGetServerSocketFactory() {
            return new WatchingServerSocketFactory(real.getServerSocketFactory(), changed);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine() {
            return Sockets.watch(real.createSSLEngine(), changed, pin);
        }

        @Override
        protected SSLEngine engineCreateSSLEngine(String host, int port) {
            return Sockets.watch(real.createSSLEngine(Rewrite.peer(host, "java SSLContext.createSSLEngine"), port), changed, pin);
        }

        @Override
        protected SSLSessionContext engineGetServerSessionContext() {
            return real.getServerSessionContext();
        }

        @Override
        protected SSLSessionContext engineGetClientSessionContext() {
            return real.getClientSessionContext();
        }

        @Override
        protected SSLParameters engineGetDefaultSSLParameters() {
            return real.getDefaultSSLParameters();
        }

        @Override
        protected SSLParameters engineGetSupportedSSLParameters() {
            return real.getSupportedSSLParameters();
        }
    }
}
