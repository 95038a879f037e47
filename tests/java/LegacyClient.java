import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A client that names its server by a (legacy) host name and checks the certificate against it
 * with the JDK's endpoint identification: LegacyClient MODE HOST PORT ALGORITHM, ALGORITHM being
 * HTTPS or LDAPS (SSLParameters.setEndpointIdentificationAlgorithm). Sends an HTTP/1.0 GET, prints
 * the status line and exits 0 ("FAILED: ..." and 1 on any error).
 *   MODE: create (getInstance("TLS")'s createSocket(HOST, PORT)), layered (a plain socket, then
 *         createSocket(plain, HOST, PORT, true)), engine (createSSLEngine(HOST, PORT) driven over
 *         a plain socket)
 */
public final class LegacyClient {
    private LegacyClient() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args[0], args[1], Integer.parseInt(args[2]), args[3]));
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            System.exit(1);
        }
    }

    private static String run(String mode, String host, int port, String alg) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        InputStream in;
        OutputStream out;
        if (mode.equals("engine")) {
            SSLEngine e = ctx.createSSLEngine(host, port);
            e.setUseClientMode(true);
            SSLParameters p = e.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(alg);
            e.setSSLParameters(p);
            EngineIO io = new EngineIO(e, new Socket(host, port));
            io.handshake();
            in = io.in();
            out = io.out();
        } else {
            SSLSocket s = mode.equals("create") ? (SSLSocket) ctx.getSocketFactory().createSocket(host, port)
                    : (SSLSocket) ctx.getSocketFactory().createSocket(new Socket(host, port), host, port, true);
            SSLParameters p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm(alg);
            s.setSSLParameters(p);
            s.startHandshake();
            in = s.getInputStream();
            out = s.getOutputStream();
        }
        out.write(("GET / HTTP/1.0\r\nHost: " + host + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
        out.flush();
        String status = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII)).readLine();
        if (status == null)
            throw new IOException("no reply");
        return status;
    }
}
