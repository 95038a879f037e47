package tlsfloor.agent;

import java.security.NoSuchAlgorithmException;
import java.security.Provider;
import java.security.Security;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Two JCA providers, the whole mechanism for SSLContext pins: "TlsFloor", first in the list, for
 * getInstance("TLSv1") without a provider argument; and a twin of SunJSSE under its name, in its
 * place, for getInstance("TLSv1", "SunJSSE"): every service of the twin is the real one's
 * (newInstance is passed through) except the pinned SSLContext names.
 */
final class Providers {
    private Providers() {
    }

    /** The SSLContext names that pin a version below the floor (JSSE's names and aliases). */
    static List<String> pinnedNames() {
        List<String> names = new ArrayList<String>();
        names.add("TLSv1");
        names.add("TLSv1.1");
        names.add("SSLv3");
        if (Config.floor > Versions.TLS12)
            names.add("TLSv1.2");
        return names;
    }

    static boolean pinned(String alg) {
        for (String n : pinnedNames())
            if (n.equalsIgnoreCase(alg))
                return true;
        return false;
    }

    static void install() {
        Provider real = Security.getProvider("SunJSSE");
        Contexts.backing = real != null ? real : firstWith("TLS");
        if (Contexts.backing == null)
            return;
        if (real != null) {
            int position = positionOf(real);
            Security.removeProvider("SunJSSE");
            Security.insertProviderAt(new Twin(real), position);
        }
        Security.insertProviderAt(new Floor(), 1);
    }

    private static int positionOf(Provider p) {
        Provider[] all = Security.getProviders();
        for (int i = 0; i < all.length; i++)
            if (all[i] == p)
                return i + 1;
        return all.length + 1;
    }

    private static Provider firstWith(String alg) {
        for (Provider p : Security.getProviders())
            if (p.getService("SSLContext", alg) != null)
                return p;
        return null;
    }

    /** A pinned SSLContext name: the agent's context instead of the JDK's. */
    static final class PinnedService extends Provider.Service {
        PinnedService(Provider p, String alg, List<String> aliases) {
            super(p, "SSLContext", alg, Contexts.Wrapped.class.getName(), aliases, null);
        }

        @Override
        public Object newInstance(Object param) throws NoSuchAlgorithmException {
            return Contexts.pinned(getAlgorithm());
        }
    }

    /** SunJSSE's "Default" SSLContext: the JDK's own, its sockets watched for pins. */
    static final class DefaultService extends Provider.Service {
        DefaultService(Provider p, List<String> aliases) {
            super(p, "SSLContext", "Default", Contexts.Wrapped.class.getName(), aliases, null);
        }

        @Override
        public Object newInstance(Object param) throws NoSuchAlgorithmException {
            return Contexts.defaultContext();
        }
    }

    /** "TLS", "TLSv1.2", "TLSv1.3": the JDK's own context, its sockets and engines watched for pins. */
    static final class WatchedService extends Provider.Service {
        WatchedService(Provider p, String alg, List<String> aliases) {
            super(p, "SSLContext", alg, Contexts.Wrapped.class.getName(), aliases, null);
        }

        @Override
        public Object newInstance(Object param) throws NoSuchAlgorithmException {
            return Contexts.watched(getAlgorithm());
        }
    }

    /** Any other service of the twin: the real provider's own. */
    static final class PassedService extends Provider.Service {
        private final Provider.Service real;

        PassedService(Provider twin, Provider.Service real, List<String> aliases, Map<String, String> attrs) {
            super(twin, real.getType(), real.getAlgorithm(), real.getClassName(), aliases, attrs);
            this.real = real;
        }

        @Override
        public Object newInstance(Object param) throws NoSuchAlgorithmException {
            return real.newInstance(param);
        }

        @Override
        public boolean supportsParameter(Object param) {
            return real.supportsParameter(param);
        }
    }

    @SuppressWarnings("deprecation") // Provider(String, double, String): the one Java 8 has
    static final class Floor extends Provider {
        private static final long serialVersionUID = 1L;

        Floor() {
            super("TlsFloor", 1.0, "tlsfloor: SSLContext pins below the TLS floor");
            List<String> names = pinnedNames();
            for (String n : names) {
                List<String> aliases = new ArrayList<String>();
                if (n.equals("TLSv1"))
                    aliases.add("TLSv1.0");
                putService(new PinnedService(this, n, aliases));
            }
        }
    }

    @SuppressWarnings("deprecation")
    static final class Twin extends Provider {
        private static final long serialVersionUID = 1L;

        Twin(Provider real) {
            super(real.getName(), real.getVersion(), real.getInfo());
            Map<String, List<String>> aliases = aliasesOf(real);
            for (Provider.Service s : real.getServices()) {
                String key = s.getType() + "." + s.getAlgorithm().toUpperCase();
                List<String> a = aliases.containsKey(key) ? aliases.get(key) : new ArrayList<String>();
                if (s.getType().equals("SSLContext") && pinned(s.getAlgorithm())) {
                    List<String> pinnedAliases = new ArrayList<String>();
                    for (String al : a)
                        if (!pinnedNames().contains(al))   // SSLv3 gets a service of its own
                            pinnedAliases.add(al);
                    putService(new PinnedService(this, s.getAlgorithm(), pinnedAliases));
                } else if (s.getType().equals("SSLContext") && s.getAlgorithm().equals("Default")) {
                    putService(new DefaultService(this, a));
                } else if (s.getType().equals("SSLContext")
                        && (Versions.rank(s.getAlgorithm()) > 0 || s.getAlgorithm().equals("TLS"))) {
                    putService(new WatchedService(this, s.getAlgorithm(), a));
                } else {
                    putService(new PassedService(this, s, a, attributesOf(real, s)));
                }
            }
            for (String n : pinnedNames())
                if (getService("SSLContext", n) == null && real.getService("SSLContext", n) != null)
                    putService(new PinnedService(this, n, new ArrayList<String>()));
        }

        /** "TYPE.ALG NAME" = VALUE entries: the public view of a service's attributes. */
        private static Map<String, String> attributesOf(Provider real, Provider.Service s) {
            Map<String, String> out = new HashMap<String, String>();
            String prefix = s.getType() + "." + s.getAlgorithm() + " ";
            for (String k : real.stringPropertyNames())
                if (k.startsWith(prefix))
                    out.put(k.substring(prefix.length()), real.getProperty(k));
            return out.isEmpty() ? null : out;
        }

        /** "Alg.Alias.TYPE.ALIAS" = ALG entries, by TYPE.ALG (the only public view of aliases). */
        private static Map<String, List<String>> aliasesOf(Provider real) {
            Map<String, List<String>> out = new HashMap<String, List<String>>();
            for (String k : real.stringPropertyNames()) {
                if (!k.startsWith("Alg.Alias."))
                    continue;
                String rest = k.substring("Alg.Alias.".length());
                int dot = rest.indexOf('.');
                if (dot < 0)
                    continue;
                String key = rest.substring(0, dot) + "." + real.getProperty(k).toUpperCase();
                List<String> l = out.get(key);
                if (l == null)
                    out.put(key, l = new ArrayList<String>());
                l.add(rest.substring(dot + 1));
            }
            return out;
        }
    }
}
