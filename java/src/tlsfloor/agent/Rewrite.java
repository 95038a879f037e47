package tlsfloor.agent;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Legacy host names, the shim's rules (common/tf_rewrite.c) in Java: the built-in ones (on
 * unless rewrite_defaults 0 / TLSFLOOR_REWRITE_DEFAULTS=0), and the user's (rewrite OLD NEW in
 * the config file, TLSFLOOR_REWRITE=OLD=NEW,...), which win; "*.domain" matches any name one or
 * more labels below domain, an exact rule wins over a wildcard, a target is never rewritten to
 * itself. Used where the program names the peer to JSSE (SNI, endpoint identification): name
 * resolution is the shim's.
 */
final class Rewrite {
    /** The built-in rules: generated from the rules table at build time (BuiltinRules.java). */
    private static final List<String[]> BUILTIN = Arrays.asList(BuiltinRules.RULES);
    private static final int MAX_RULES = 64;
    private static final List<String[]> user = new ArrayList<String[]>();
    static volatile boolean defaults = true;

    private Rewrite() {
    }

    /** Letters, digits, '-', '_', dot-separated labels of 1..63, 253 at most (tf_hostname_valid). */
    static boolean validHost(String s) {
        if (s.isEmpty() || s.length() > 253)
            return false;
        int label = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '.') {
                if (label == 0)
                    return false;
                label = 0;
            } else if (c < 0x80 && (Character.isLetterOrDigit(c) || c == '-' || c == '_')) {
                if (++label > 63)
                    return false;
            } else {
                return false;
            }
        }
        return label > 0;
    }

    private static String normalise(String s) {
        String t = s.trim().toLowerCase(Locale.ROOT);
        return t.endsWith(".") ? t.substring(0, t.length() - 1) : t;
    }

    /** One user rule; an error message when it is malformed (then ignored), else null. */
    static synchronized String add(String old, String target) {
        String o = normalise(old), n = normalise(target);
        boolean wild = o.startsWith("*.");
        if (!validHost(wild ? o.substring(2) : o))
            return "rewrite rule: \"" + old + "\" is not a host name or *.domain";
        if (!validHost(n))
            return "rewrite rule: \"" + target + "\" is not a host name";
        if (o.equals(n))
            return "rewrite rule: " + old + " rewrites to itself";
        if (user.size() >= MAX_RULES)
            return "rewrite rule: too many rules (64 at most); the rest are ignored";
        user.add(new String[] { o, n });
        return null;
    }

    /** "OLD=NEW[,OLD=NEW...]" (TLSFLOOR_REWRITE); errors are added to the list. */
    static void addList(String list, List<String> errors) {
        for (String item : list.split(",")) {
            if (item.trim().isEmpty())
                continue;
            int eq = item.indexOf('=');
            String err = eq < 0 ? "rewrite rule: \"" + item.trim() + "\" is not OLD=NEW"
                    : add(item.substring(0, eq), item.substring(eq + 1));
            if (err != null)
                errors.add(err);
        }
    }

    private static String lookupIn(List<String[]> rules, String name) {
        for (String[] r : rules)
            if (!r[0].startsWith("*.") && r[0].equals(name))
                return r[1];
        for (String[] r : rules)
            if (r[0].startsWith("*.") && name.endsWith(r[0].substring(1)))
                return r[1];
        return null;
    }

    /** The standard name for a legacy one, or null (nothing to rewrite). */
    static String lookup(String name) {
        if (name == null)
            return null;
        String n = name.endsWith(".") ? name.substring(0, name.length() - 1) : name;
        if (!validHost(n))
            return null;
        n = n.toLowerCase(Locale.ROOT);
        String hit;
        synchronized (Rewrite.class) {
            hit = lookupIn(user, n);
        }
        if (hit == null && defaults)
            hit = lookupIn(BUILTIN, n);
        return hit == null || hit.equals(n) ? null : hit;
    }

    /**
     * The host name to hand JSSE for a peer the program named: the standard one in enforce mode
     * (host_rewritten), the program's own in audit mode (host_would_rewrite).
     */
    static String peer(String host, String layer) {
        String to = lookup(host);
        if (to == null)
            return host;
        boolean enforce = Config.enforcing();
        if (enforce)   // (each event named as a literal: tables_java_events checks them against the table)
            Log.emit("host_rewritten", "old", host, "new", to, "layer", layer, "applied", true);
        else
            Log.emit("host_would_rewrite", "old", host, "new", to, "layer", layer, "applied", false);
        return enforce ? to : host;
    }
}
