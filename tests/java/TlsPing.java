import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

/**
 * scripts/bench's small Java TLS client: TlsPing PROTOCOL PORT connects to localhost:PORT with
 * SSLContext.getInstance(PROTOCOL) (the JDK's trust; the bench passes a trust store), asks
 * tests/hardening/hpin's server for 2 bytes and exits 0 when they came.
 */
public final class TlsPing {
    private TlsPing() {
    }

    public static void main(String[] args) throws Exception {
        SSLContext ctx = SSLContext.getInstance(args[0]);
        ctx.init(null, null, null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("localhost", Integer.parseInt(args[1]))) {
            OutputStream out = s.getOutputStream();
            out.write("2\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = s.getInputStream();
            int got = 0;
            while (got < 2 && in.read() >= 0)
                got++;
            if (got < 2)
                throw new IllegalStateException("short reply");
        }
    }
}
