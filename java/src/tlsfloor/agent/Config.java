package tlsfloor.agent;

import java.io.BufferedReader;
import java.io.FileInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The settings the Java agent honours, as the shim reads them (README, Settings): mode, min
 * and log from the config file (TLSFLOOR_CONFIG, else /etc/tlsfloor.conf), then
 * TLSFLOOR_MODE, TLSFLOOR_MIN and TLSFLOOR_LOG. A bad value keeps the safe default (enforce,
 * 1.2, stderr) and is reported once as config_error.
 */
final class Config {
    static volatile String mode = "enforce";
    static volatile int floor = Versions.TLS12;
    static volatile String log = "stderr";
    private static final List<String> errors = new ArrayList<String>();

    private Config() {
    }

    static boolean enforcing() {
        return mode.equals("enforce");
    }

    static void load() {
        String file = System.getenv("TLSFLOOR_CONFIG");
        boolean explicit = file != null && !file.isEmpty();
        readFile(explicit ? file : "/etc/tlsfloor.conf", explicit);
        set("mode", System.getenv("TLSFLOOR_MODE"), "TLSFLOOR_MODE");
        set("min", System.getenv("TLSFLOOR_MIN"), "TLSFLOOR_MIN");
        set("log", System.getenv("TLSFLOOR_LOG"), "TLSFLOOR_LOG");
        set("rewrite_defaults", System.getenv("TLSFLOOR_REWRITE_DEFAULTS"), "TLSFLOOR_REWRITE_DEFAULTS");
        set("rewrite", System.getenv("TLSFLOOR_REWRITE"), "TLSFLOOR_REWRITE");
    }

    /** Reported after the log is known. */
    static void reportErrors() {
        for (String e : errors)
            Log.emit("config_error", "error", e);
    }

    private static void readFile(String path, boolean explicit) {
        try (BufferedReader r = new BufferedReader(
                new InputStreamReader(new FileInputStream(path), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                int hash = line.indexOf('#');
                if (hash >= 0)
                    line = line.substring(0, hash);
                line = line.replaceFirst("=", " ").trim();
                if (line.isEmpty())
                    continue;
                String[] kv = line.split("\\s+", 2);
                if (kv.length == 2)
                    set(kv[0], kv[1].trim(), path + ": " + kv[0]);
            }
        } catch (java.io.FileNotFoundException e) {
            if (explicit)
                errors.add(path + ": cannot read it");
        } catch (Throwable t) {
            errors.add(path + ": " + t);
        }
    }

    /**
     * Host name rules as the shim reads them: "rewrite OLD NEW" in the file, OLD=NEW,... in
     * TLSFLOOR_REWRITE; rewrite_defaults 0|1.
     */
    private static void setRewrite(String key, String value, String where) {
        if (key.equals("rewrite_defaults")) {
            if (value.equals("0") || value.equals("1"))
                Rewrite.defaults = value.equals("1");
            else
                errors.add(where + "=\"" + value + "\": rewrite_defaults is not 0 or 1");
            return;
        }
        String[] words = value.trim().split("\\s+");
        if (words.length == 2 && value.indexOf('=') < 0 && value.indexOf(',') < 0) {
            String err = Rewrite.add(words[0], words[1]);
            if (err != null)
                errors.add(where + ": " + err);
        } else {
            Rewrite.addList(value, errors);
        }
    }

    /** Other keys (verify, ...) belong to the shim and are not the agent's business. */
    private static void set(String key, String value, String where) {
        if (value == null || value.isEmpty())
            return;
        if (key.equals("rewrite") || key.equals("rewrite_defaults")) {
            setRewrite(key, value, where);
        } else if (key.equals("mode")) {
            if (value.equals("enforce") || value.equals("audit"))
                mode = value;
            else
                errors.add(where + "=\"" + value + "\": not enforce or audit — using " + mode);
        } else if (key.equals("min")) {
            if (value.equals("1.2") || value.equals("TLSv1.2"))
                floor = Versions.TLS12;
            else if (value.equals("1.3") || value.equals("TLSv1.3"))
                floor = Versions.TLS13;
            else
                errors.add(where + "=\"" + value + "\": not a floor — using " + Versions.name(floor));
        } else if (key.equals("log")) {
            if (value.equals("stderr") || value.equals("syslog") || value.equals("none") || value.startsWith("/"))
                log = value;
            else
                errors.add(where + "=\"" + value + "\": not stderr, syslog, none or an absolute path — using " + log);
        }
    }
}
