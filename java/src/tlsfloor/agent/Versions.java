package tlsfloor.agent;

import java.util.ArrayList;
import java.util.List;

/** JSSE's protocol names, ranked, and the one rule: a list below the floor gets the floor added. */
final class Versions {
    static final int SSL3 = 0x300, TLS10 = 0x301, TLS11 = 0x302, TLS12 = 0x303, TLS13 = 0x304;
    /** Whether this JRE speaks TLS 1.3 (Java 8 before 8u261 does not); set by the agent. */
    static volatile boolean tls13 = false;

    private Versions() {
    }

    static int rank(String name) {
        String n = name.trim();
        if (n.equals("SSLv3"))
            return SSL3;
        if (n.equals("TLSv1") || n.equals("TLSv1.0"))
            return TLS10;
        if (n.equals("TLSv1.1"))
            return TLS11;
        if (n.equals("TLSv1.2"))
            return TLS12;
        if (n.equals("TLSv1.3"))
            return TLS13;
        return -1; // SSLv2Hello and unknown names: not a version to count
    }

    static String name(int v) {
        switch (v) {
        case SSL3: return "SSLv3";
        case TLS10: return "TLSv1";
        case TLS11: return "TLSv1.1";
        case TLS12: return "TLSv1.2";
        case TLS13: return "TLSv1.3";
        default: return null;
        }
    }

    static int highest(String[] list) {
        int h = -1;
        for (String s : list)
            h = Math.max(h, rank(s));
        return h;
    }

    /** A list that names a version, all of them below the floor: the pins to raise. */
    static boolean belowFloor(String[] list) {
        int h = highest(list);
        return h > 0 && h < Config.floor;
    }

    /**
     * The list with the floor's versions added after the program's own (nothing taken away:
     * the old versions stay, and JSSE's own disabled list still governs them).
     */
    static String[] raise(String[] list) {
        List<String> out = new ArrayList<String>();
        for (String s : list)
            if (!s.trim().isEmpty())
                out.add(s.trim());
        if (tls13 && !out.contains("TLSv1.3"))
            out.add("TLSv1.3");
        if (Config.floor <= TLS12 && !out.contains("TLSv1.2"))
            out.add("TLSv1.2");
        return out.toArray(new String[0]);
    }

    static String join(String[] list, String sep) {
        StringBuilder b = new StringBuilder();
        for (String s : list) {
            if (b.length() > 0)
                b.append(sep);
            b.append(s);
        }
        return b.toString();
    }
}
