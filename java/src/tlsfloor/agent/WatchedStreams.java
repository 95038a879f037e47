package tlsfloor.agent;

import java.io.FilterInputStream;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import javax.net.ssl.SSLHandshakeException;

/**
 * A FloorSocket's streams: the JDK's own, passed through call for call, except that a handshake
 * the first read or write starts (no startHandshake) and that fails is recorded as
 * handshake_failed. One extra call per read or write; no copy, no lock.
 */
final class WatchedStreams {
    private WatchedStreams() {
    }

    static final class In extends FilterInputStream {
        private final FloorSocket socket;

        In(InputStream in, FloorSocket socket) {
            super(in);
            this.socket = socket;
        }

        @Override
        public int read() throws IOException {
            try {
                return in.read();
            } catch (SSLHandshakeException e) {
                socket.recordFailure(e, "implicit handshake (read)");
                throw e;
            }
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            try {
                return in.read(b, off, len);
            } catch (SSLHandshakeException e) {
                socket.recordFailure(e, "implicit handshake (read)");
                throw e;
            }
        }
    }

    static final class Out extends FilterOutputStream {
        private final FloorSocket socket;

        Out(OutputStream out, FloorSocket socket) {
            super(out);
            this.socket = socket;
        }

        @Override
        public void write(int b) throws IOException {
            try {
                out.write(b);
            } catch (SSLHandshakeException e) {
                socket.recordFailure(e, "implicit handshake (write)");
                throw e;
            }
        }

        /** Whole, not byte by byte as FilterOutputStream would. */
        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            try {
                out.write(b, off, len);
            } catch (SSLHandshakeException e) {
                socket.recordFailure(e, "implicit handshake (write)");
                throw e;
            }
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
