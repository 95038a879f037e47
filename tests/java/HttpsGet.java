import java.io.InputStream;
import java.net.URL;
import javax.net.ssl.HttpsURLConnection;

/**
 * HttpsGet URL: fetches URL with HttpsURLConnection (the JDK's default context, its host name
 * check, https.protocols), prints "HTTP CODE" and exits 0, or prints the failure and exits 1.
 */
public final class HttpsGet {
    private HttpsGet() {
    }

    public static void main(String[] args) {
        try {
            HttpsURLConnection c = (HttpsURLConnection) new URL(args[0]).openConnection();
            int code = c.getResponseCode();
            try (InputStream in = c.getInputStream()) {
                while (in.read() >= 0) {
                    // the whole body, so the connection is used for data too
                }
            }
            System.out.println("HTTP " + code);
        } catch (Exception e) {
            System.out.println("FAILED: " + e);
            System.exit(1);
        }
    }
}
