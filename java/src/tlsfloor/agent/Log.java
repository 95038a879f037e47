package tlsfloor.agent;

import java.io.File;
import java.io.FileOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.text.SimpleDateFormat;
import java.util.Date;
import java.util.Map;
import java.util.TimeZone;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The records, in the shim's JSON Lines format (common/tf_record.c): ts, host, pid, exe, tool
 * ("java"), mode, event, dropped, detail, caller. A file gets one write() per record, opened for
 * append each time (so logrotate needs nothing); a record that cannot be written is dropped and
 * the next one says how many. Nothing here may throw into the program.
 */
final class Log {
    static final int MAX_FRAMES = 8;
    private static final int MAX_RECORD = 4096;
    private static final AtomicInteger dropped = new AtomicInteger();
    private static final Map<String, int[]> sites = new ConcurrentHashMap<String, int[]>();
    private static final AtomicInteger nextSite = new AtomicInteger(1);
    private static String pid = "0";
    private static String exe = "";
    private static String host = null;

    private Log() {
    }

    static void init() {
        try {
            pid = new File("/proc/self").getCanonicalFile().getName();
            exe = Files.readSymbolicLink(Paths.get("/proc/self/exe")).toString();
            byte[] h = Files.readAllBytes(Paths.get("/proc/sys/kernel/hostname"));
            host = new String(h, StandardCharsets.UTF_8).trim();
        } catch (Throwable t) {
            // no /proc: the record says less, the floor is unchanged
        }
    }

    /** detail: key, value pairs; a value is a String, Integer or Boolean (null: JSON null). */
    static void emit(String event, Object... detail) {
        String dest = Config.log;
        if (dest.equals("none") || dest.equals("syslog"))
            return;
        emitAs(caller(), event, detail);
    }

    /** A record whose caller was taken earlier (a handshake runs on a thread of the JDK's). */
    static void emitAs(String caller, String event, Object... detail) {
        try {
            String dest = Config.log;
            if (dest.equals("none") || dest.equals("syslog"))
                return;
            if (dest.equals("stderr")) {
                writeStderr(event, detail);
                return;
            }
            writeFile(dest, json(event, detail, caller));
        } catch (Throwable t) {
            dropped.incrementAndGet();
        }
    }

    private static void writeStderr(String event, Object[] detail) {
        StringBuilder b = new StringBuilder("tlsfloor[").append(pid).append("]: ").append(event);
        for (int i = 0; i + 1 < detail.length; i += 2)
            b.append(' ').append(detail[i]).append('=').append(plain(String.valueOf(detail[i + 1])));
        System.err.println(b);
    }

    /** A value with a space, '=', a quote, a backslash or a control character is quoted. */
    static String plain(String v) {
        boolean quote = false;
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == ' ' || c == '=' || c == '"' || c == '\\' || c < 0x20 || c == 0x7f)
                quote = true;
            if (c == '"' || c == '\\')
                b.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f)
                b.append(String.format("\\x%02x", (int) c));
            else
                b.append(c);
        }
        return quote ? "\"" + b + "\"" : v;
    }

    /** Regular files only, never through a symbolic link: a FIFO could block the program. */
    private static void writeFile(String dest, String record) {
        Path p = Paths.get(dest);
        byte[] bytes = record.getBytes(StandardCharsets.UTF_8);
        if (!Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS) || bytes.length > MAX_RECORD) {
            dropped.incrementAndGet();
            return;
        }
        try (FileOutputStream out = new FileOutputStream(dest, true)) {
            out.write(bytes);
        } catch (Throwable t) {
            dropped.incrementAndGet();
        }
    }

    static String json(String event, Object[] detail, String caller) {
        StringBuilder b = new StringBuilder(512);
        SimpleDateFormat f = new SimpleDateFormat("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'");
        f.setTimeZone(TimeZone.getTimeZone("UTC"));
        b.append("{\"ts\":\"").append(f.format(new Date())).append("\",");
        if (host != null && !host.isEmpty())
            b.append("\"host\":").append(str(host)).append(',');
        b.append("\"pid\":").append(pid).append(",\"exe\":").append(str(exe));
        b.append(",\"tool\":\"java\",\"mode\":").append(str(Config.mode));
        b.append(",\"event\":").append(str(event));
        int d = dropped.getAndSet(0);
        if (d > 0)
            b.append(",\"dropped\":").append(d);
        b.append(",\"detail\":{");
        for (int i = 0; i + 1 < detail.length; i += 2) {
            if (i > 0)
                b.append(',');
            b.append(str(String.valueOf(detail[i]))).append(':');
            Object v = detail[i + 1];
            b.append(v instanceof Integer || v instanceof Boolean ? String.valueOf(v) : str((String) v));
        }
        b.append('}').append(caller).append("}\n");
        return b.toString();
    }

    static String str(String s) {
        if (s == null)
            return "null";
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\')
                b.append('\\').append(c);
            else if (c < 0x20 || c == 0x7f)
                b.append(String.format("\\u%04x", (int) c));
            else
                b.append(c);
        }
        return b.append('"').toString();
    }

    /** The JDK's own code and the agent's: a caller is the first frame outside them. */
    static boolean own(String cls) {
        return cls.startsWith("tlsfloor.agent.") || cls.startsWith("java.") || cls.startsWith("javax.")
                || cls.startsWith("sun.") || cls.startsWith("jdk.") || cls.startsWith("com.sun.");
    }

    /**
     * ,"caller":{...} for the code that asked: Java frames from the first one outside the agent
     * and the JDK (Throwable's stack trace works on Java 8 and later alike). The first record of a
     * call site carries its frames, repeats only site and count (as the shim's do).
     */
    static String caller() {
        try {
            return callerOf(new Throwable().getStackTrace());
        } catch (Throwable t) {
            return "";   // a record without a caller; never an exception in the program
        }
    }

    private static String callerOf(StackTraceElement[] st) {
        if (st == null)
            return "";
        int first = 0;
        while (first < st.length && own(st[first].getClassName()))
            first++;
        if (first == st.length)
            return "";
        StringBuilder frames = new StringBuilder("[");
        for (int i = first; i < st.length && i < first + MAX_FRAMES; i++) {
            StackTraceElement e = st[i];
            if (i > first)
                frames.append(',');
            frames.append("{\"class\":").append(str(e.getClassName()));
            frames.append(",\"method\":").append(str(e.getMethodName()));
            frames.append(",\"file\":").append(str(e.getFileName()));
            frames.append(",\"line\":").append(e.getLineNumber() >= 0 ? String.valueOf(e.getLineNumber()) : "null");
            frames.append('}');
        }
        frames.append(']');
        String key = frames.toString();
        int[] site = sites.get(key);
        boolean fresh = false;
        if (site == null) {
            int[] mine = new int[] { nextSite.getAndIncrement(), 0 };
            site = sites.putIfAbsent(key, mine);
            if (site == null) {
                site = mine;
                fresh = true;
            }
        }
        int count;
        synchronized (site) {
            count = ++site[1];
        }
        StringBuilder b = new StringBuilder(",\"caller\":{\"site\":").append(site[0]);
        b.append(",\"count\":").append(count);
        if (fresh)
            b.append(",\"frames\":").append(key);
        return b.append('}').toString();
    }
}
