// An IMAPS client in plain Java (JSSE): reads the server's greeting, trusting only the store
// given. tlsfloor sees the JVM's connect() but none of its TLS, which is written in Java.
//   java ImapsGreeting HOST PORT TRUSTSTORE.p12
import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.security.KeyStore;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;

public class ImapsGreeting {
    public static void main(String[] args) throws Exception {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        try (FileInputStream in = new FileInputStream(args[2])) {
            trust.load(in, "changeit".toCharArray());
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        ctx.init(null, tmf.getTrustManagers(), null);
        try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(args[0], Integer.parseInt(args[1]))) {
            s.startHandshake();
            BufferedReader r = new BufferedReader(new InputStreamReader(s.getInputStream(), "US-ASCII"));
            System.out.println(s.getSession().getProtocol() + " " + r.readLine());
        }
    }
}
