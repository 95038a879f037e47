import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;

/**
 * A plain-JDK mail client pinned to an old TLS version by one route, as legacy Java programs
 * are: MailClient PROTOCOL ROUTE HOST PORT. Logs in (IMAP, POP3) or authenticates (SMTP) as
 * poller@example.test, prints "LOGIN OK" and exits 0; any failure prints the exception and exits 1.
 *   PROTOCOL: imaps | imap-starttls | pop3s | smtp-starttls
 *   ROUTE: getinstance (SSLContext.getInstance("TLSv1")), getinstance-sunjsse (the same with
 *          provider "SunJSSE"), mail-property (mail.PROTO.ssl.protocols read as JavaMail does,
 *          then setEnabledProtocols), jdk-property (getInstance("TLS") and whatever
 *          jdk.tls.client.protocols says), setenabledprotocols (the default context's socket,
 *          setEnabledProtocols("TLSv1", "TLSv1.1")), sslparameters (the default context's
 *          socket, SSLParameters.setProtocols("TLSv1")), modern (getInstance("TLS"), the control),
 *          tls-setenabledprotocols (getInstance("TLS")'s socket, setEnabledProtocols("TLSv1",
 *          "TLSv1.1")), factory-setenabledprotocols (the same on SSLSocketFactory.getDefault()'s),
 *          implicit (getInstance("TLS")'s socket pinned to TLSv1, no startHandshake: the first
 *          read or write shakes hands), engine (an SSLEngine of getInstance("TLS") in client
 *          mode, setEnabledProtocols("TLSv1")), engine-pinned (an SSLEngine of
 *          getInstance("TLSv1")), legacy (getInstance("TLS"), nothing pinned: for host names)
 * Host names are always checked (endpoint identification HTTPS), trust is the JDK's default
 * (the test passes -Djavax.net.ssl.trustStore).
 */
public final class MailClient {
    private static final String USER = "poller@example.test";
    private static final String PASS = "s3cret";

    private BufferedReader in;
    private OutputStream out;
    private final String proto;
    private final String route;
    private final String host;
    private final int port;

    private MailClient(String proto, String route, String host, int port) {
        this.proto = proto;
        this.route = route;
        this.host = host;
        this.port = port;
    }

    public static void main(String[] args) {
        try {
            new MailClient(args[0], args[1], args[2], Integer.parseInt(args[3])).run();
            System.out.println("LOGIN OK");
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            System.exit(1);
        }
    }

    private SSLContext context() throws Exception {
        SSLContext ctx;
        if (route.equals("setenabledprotocols") || route.equals("sslparameters"))
            return SSLContext.getDefault();
        if (route.equals("getinstance") || route.equals("engine-pinned"))
            ctx = SSLContext.getInstance("TLSv1");
        else if (route.equals("getinstance-sunjsse"))
            ctx = SSLContext.getInstance("TLSv1", "SunJSSE");
        else
            ctx = SSLContext.getInstance("TLS");
        ctx.init(null, null, null);
        return ctx;
    }

    /** The route's own pin on the socket, host name checks on, then the handshake. */
    private SSLSocket secure(SSLSocket s) throws IOException {
        SSLParameters p = s.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        if (route.equals("sslparameters"))
            p.setProtocols(new String[] { "TLSv1" });
        s.setSSLParameters(p);
        if (route.endsWith("setenabledprotocols"))
            s.setEnabledProtocols(new String[] { "TLSv1", "TLSv1.1" });
        if (route.equals("implicit")) {
            s.setEnabledProtocols(new String[] { "TLSv1" });
            return s;   // the first read or write shakes hands
        }
        if (route.equals("mail-property")) {
            String name = "mail." + proto.replace("-starttls", "")
                    + ".ssl.protocols";
            String value = System.getProperty(name);
            if (value != null)
                s.setEnabledProtocols(value.trim().split("\\s+"));
        }
        s.startHandshake();
        return s;
    }

    /** An SSLEngine on the plain connection, host name checks on, the route's pin, the handshake. */
    private void secureEngine(SSLContext ctx, Socket plain) throws IOException {
        SSLEngine e = ctx.createSSLEngine(host, port);
        e.setUseClientMode(true);
        SSLParameters p = e.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        e.setSSLParameters(p);
        if (route.equals("engine"))
            e.setEnabledProtocols(new String[] { "TLSv1" });
        EngineIO io = new EngineIO(e, plain);
        io.handshake();
        attach(io.in(), io.out());
    }

    /** TLS on the connection (implicit TLS from the start, or after STARTTLS). */
    private void upgrade(SSLContext ctx, SSLSocketFactory f, Socket plain) throws IOException {
        if (route.startsWith("engine"))
            secureEngine(ctx, plain);
        else if (plain == null)
            attach(secure((SSLSocket) f.createSocket(host, port)));
        else
            attach(secure((SSLSocket) f.createSocket(plain, host, port, true)));
    }

    private void attach(Socket s) throws IOException {
        attach(s.getInputStream(), s.getOutputStream());
    }

    private void attach(InputStream i, OutputStream o) {
        in = new BufferedReader(new InputStreamReader(i, StandardCharsets.ISO_8859_1));
        out = o;
    }

    private String line() throws IOException {
        String l = in.readLine();
        if (l == null)
            throw new IOException("connection closed by the server");
        return l;
    }

    private String send(String cmd) throws IOException {
        out.write((cmd + "\r\n").getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        return line();
    }

    private static void expect(String got, String prefix) throws IOException {
        if (!got.startsWith(prefix))
            throw new IOException("server said: " + got);
    }

    private void run() throws Exception {
        boolean factory = route.equals("factory-setenabledprotocols");
        SSLContext ctx = factory ? null : context();
        SSLSocketFactory f = factory ? (SSLSocketFactory) SSLSocketFactory.getDefault() : ctx.getSocketFactory();
        if (proto.equals("imaps") || proto.equals("pop3s")) {
            upgrade(ctx, f, route.startsWith("engine") ? new Socket(host, port) : null);
            if (proto.equals("imaps"))
                imapLogin();
            else
                pop3Login();
            return;
        }
        Socket plain = new Socket(host, port);
        attach(plain);
        if (proto.equals("imap-starttls")) {
            expect(line(), "* OK");
            expect(send("a0 STARTTLS"), "a0 OK");
            upgrade(ctx, f, plain);
            imapLogin();
        } else {
            smtpGreeting();
            expect(smtpCommand("EHLO client.test"), "250");
            expect(smtpCommand("STARTTLS"), "220");
            upgrade(ctx, f, plain);
            expect(smtpCommand("EHLO client.test"), "250");
            String token = Base64.getEncoder().encodeToString(("\0" + USER + "\0" + PASS).getBytes(StandardCharsets.UTF_8));
            expect(smtpCommand("AUTH PLAIN " + token), "235");
            smtpCommand("QUIT");
        }
    }

    private void imapLogin() throws IOException {
        if (!proto.equals("imap-starttls"))
            expect(line(), "* OK");
        String l = send("a1 LOGIN " + USER + " " + PASS);
        while (l.startsWith("*"))
            l = line();
        expect(l, "a1 OK");
        send("a2 LOGOUT");
    }

    private void pop3Login() throws IOException {
        expect(line(), "+OK");
        expect(send("USER " + USER), "+OK");
        expect(send("PASS " + PASS), "+OK");
        send("QUIT");
    }

    private void smtpGreeting() throws IOException {
        String l = line();
        while (l.startsWith("220-"))
            l = line();
        expect(l, "220");
    }

    /** The last line of a multi-line reply. */
    private String smtpCommand(String cmd) throws IOException {
        String l = send(cmd);
        while (l.length() > 3 && l.charAt(3) == '-')
            l = line();
        return l;
    }
}
