import java.io.FileInputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLServerSocket;
import javax.net.ssl.SSLSocket;

/**
 * A plain-JDK TLS server pinned to TLSv1, as legacy Java servers are: JavaServer MODE PORT
 * KEYSTORE PASSWORD (PKCS12) listens on 127.0.0.1:PORT, prints "READY", serves one connection:
 * "HELLO <version>\n" to the client, then exits 0 ("FAILED: ..." and 1 on any error).
 *   MODE: serversocket (getInstance("TLS")'s SSLServerSocket, setEnabledProtocols("TLSv1")),
 *         engine-server (an SSLEngine of getInstance("TLS") in server mode on an accepted plain
 *         socket, setEnabledProtocols("TLSv1"))
 */
public final class JavaServer {
    private JavaServer() {
    }

    public static void main(String[] args) {
        try {
            run(args[0], Integer.parseInt(args[1]), args[2], args[3].toCharArray());
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            System.exit(1);
        }
    }

    private static SSLContext context(String keystore, char[] pass) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        try (InputStream in = new FileInputStream(keystore)) {
            ks.load(in, pass);
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, pass);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        return ctx;
    }

    private static void run(String mode, int port, String keystore, char[] pass) throws Exception {
        SSLContext ctx = context(keystore, pass);
        InetAddress lo = InetAddress.getByName("127.0.0.1");
        if (mode.equals("serversocket")) {
            try (SSLServerSocket ss = (SSLServerSocket) ctx.getServerSocketFactory().createServerSocket(port, 5, lo)) {
                ss.setEnabledProtocols(new String[] { "TLSv1" });
                System.out.println("READY");
                try (SSLSocket s = (SSLSocket) ss.accept()) {
                    OutputStream out = s.getOutputStream();
                    out.write("HELLO ".getBytes(StandardCharsets.US_ASCII));   // the first write shakes hands
                    out.write((s.getSession().getProtocol() + "\n").getBytes(StandardCharsets.US_ASCII));
                    out.flush();
                }
            }
            return;
        }
        try (ServerSocket ss = new ServerSocket(port, 5, lo)) {
            System.out.println("READY");
            try (Socket plain = ss.accept()) {
                SSLEngine e = ctx.createSSLEngine();
                e.setUseClientMode(false);
                e.setEnabledProtocols(new String[] { "TLSv1" });
                EngineIO io = new EngineIO(e, plain);
                io.handshake();
                OutputStream out = io.out();
                out.write(("HELLO " + e.getSession().getProtocol() + "\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                io.close();
            }
        }
    }
}
