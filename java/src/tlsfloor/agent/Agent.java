package tlsfloor.agent;

import java.lang.instrument.Instrumentation;
import java.security.Security;
import java.util.ArrayList;
import java.util.List;

/**
 * tlsfloor's Java agent (-javaagent:tlsfloor-agent.jar, put on the command line by
 * `tlsfloor -- java ...` through JAVA_TOOL_OPTIONS). Runs before the program's main: raises
 * protocol properties that name only old versions, reports a java.security that disables the
 * floor, and puts the providers in place (Providers). Nothing here may stop the program.
 */
public final class Agent {
    /** Properties read as protocol lists: the JDK's, and JavaMail's per protocol. */
    static final String[] PROPERTIES = {
        "jdk.tls.client.protocols", "https.protocols",
        "mail.imap.ssl.protocols", "mail.imaps.ssl.protocols",
        "mail.pop3.ssl.protocols", "mail.pop3s.ssl.protocols",
        "mail.smtp.ssl.protocols", "mail.smtps.ssl.protocols",
    };

    private Agent() {
    }

    public static void premain(String args, Instrumentation inst) {
        try {
            Config.load();
            Log.init();
            Config.reportErrors();
            Versions.tls13 = speaksTls13();
            for (String p : PROPERTIES)
                raiseProperty(p);
            checkPolicy();
            Providers.install();
        } catch (Throwable t) {
            try {
                Log.emit("config_error", "error", "java agent: " + t);
            } catch (Throwable ignored) {
                // the program starts regardless
            }
        }
    }

    private static boolean speaksTls13() {
        for (java.security.Provider p : Security.getProviders())
            if (p.getService("SSLContext", "TLSv1.3") != null)
                return true;
        return false;
    }

    /** JavaMail separates with white space, the JDK with commas: the value keeps its own. */
    static void raiseProperty(String name) {
        String value = System.getProperty(name);
        if (value == null)
            return;
        String[] list = value.trim().split("[\\s,]+");
        if (!Versions.belowFloor(list))
            return;
        String sep = value.indexOf(',') >= 0 || name.startsWith("jdk.") || name.startsWith("https.") ? "," : " ";
        String raised = Versions.join(Versions.raise(list), sep);
        boolean enforce = Config.enforcing();
        if (enforce)
            System.setProperty(name, raised);
        Log.emit("protocols_raised", "old", value, "new", raised, "property", name, "via", "system property",
                "applied", enforce);
    }

    /** A jdk.tls.disabledAlgorithms that disables the floor's versions: reported, never changed. */
    static void checkPolicy() {
        String value = Security.getProperty("jdk.tls.disabledAlgorithms");
        if (value == null)
            return;
        List<String> blocked = new ArrayList<String>();
        for (String tok : value.split(",")) {
            int v = Versions.rank(tok.trim());
            if (v >= Config.floor && (v < Versions.TLS13 || Versions.tls13))
                blocked.add(tok.trim());
        }
        if (!blocked.isEmpty())
            Log.emit("security_policy_blocks_floor", "property", "jdk.tls.disabledAlgorithms", "disabled",
                    Versions.join(blocked.toArray(new String[0]), ","), "value", value, "applied", false);
    }
}
