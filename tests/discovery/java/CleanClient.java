import javax.net.ssl.SSLContext;

// Asks for TLS 1.2; "TLSv1" appears only in another class (Labels), so no class pins it.
public class CleanClient {
    public static void main(String[] args) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLSv1.2");
        System.out.println(ctx.getProtocol() + " " + Labels.OLD);
    }
}

class Labels {
    static String OLD = "TLSv1";
}
