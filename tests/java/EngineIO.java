import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.ByteBuffer;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLEngineResult;

/**
 * Blocking streams over an SSLEngine on a connected plain socket, as programs that drive an
 * engine themselves do (the test clients' and servers' SSLEngine routes): handshake() runs the
 * handshake by wrap/unwrap/tasks, then in() and out() carry the application data.
 */
final class EngineIO {
    private final SSLEngine engine;
    private final InputStream rawIn;
    private final OutputStream rawOut;
    private final ByteBuffer netIn;
    private final ByteBuffer netOut;
    private final ByteBuffer appIn;
    private static final ByteBuffer EMPTY = ByteBuffer.allocate(0);

    EngineIO(SSLEngine engine, Socket plain) throws IOException {
        this.engine = engine;
        this.rawIn = plain.getInputStream();
        this.rawOut = plain.getOutputStream();
        int packet = engine.getSession().getPacketBufferSize();
        netIn = ByteBuffer.allocate(packet);
        netOut = ByteBuffer.allocate(packet);
        appIn = ByteBuffer.allocate(engine.getSession().getApplicationBufferSize() + 64);
    }

    void handshake() throws IOException {
        engine.beginHandshake();
        SSLEngineResult.HandshakeStatus hs = engine.getHandshakeStatus();
        while (hs != SSLEngineResult.HandshakeStatus.FINISHED && hs != SSLEngineResult.HandshakeStatus.NOT_HANDSHAKING) {
            if (hs == SSLEngineResult.HandshakeStatus.NEED_WRAP) {
                hs = wrap(EMPTY).getHandshakeStatus();
            } else if (hs == SSLEngineResult.HandshakeStatus.NEED_TASK) {
                Runnable t;
                while ((t = engine.getDelegatedTask()) != null)
                    t.run();
                hs = engine.getHandshakeStatus();
            } else {   // NEED_UNWRAP (and Java 9's NEED_UNWRAP_AGAIN)
                hs = unwrap().getHandshakeStatus();
            }
        }
    }

    private SSLEngineResult wrap(ByteBuffer src) throws IOException {
        netOut.clear();
        SSLEngineResult r = engine.wrap(src, netOut);
        netOut.flip();
        rawOut.write(netOut.array(), 0, netOut.limit());
        rawOut.flush();
        return r;
    }

    /** One unwrap of what has arrived, reading more from the socket until a record is whole. */
    private SSLEngineResult unwrap() throws IOException {
        while (true) {
            netIn.flip();
            SSLEngineResult r = engine.unwrap(netIn, appIn);
            netIn.compact();
            if (r.getStatus() != SSLEngineResult.Status.BUFFER_UNDERFLOW)
                return r;
            int n = rawIn.read(netIn.array(), netIn.position(), netIn.remaining());
            if (n < 0)
                throw new EOFException("connection closed during TLS");
            netIn.position(netIn.position() + n);
        }
    }

    /** close_notify to the peer. */
    void close() throws IOException {
        engine.closeOutbound();
        while (!engine.isOutboundDone())
            wrap(EMPTY);
    }

    InputStream in() {
        return new InputStream() {
            @Override
            public int read() throws IOException {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                while (appIn.position() == 0) {
                    if (unwrap().getStatus() == SSLEngineResult.Status.CLOSED)
                        return -1;
                }
                appIn.flip();
                int n = Math.min(len, appIn.remaining());
                appIn.get(b, off, n);
                appIn.compact();
                return n;
            }
        };
    }

    OutputStream out() {
        return new OutputStream() {
            @Override
            public void write(int b) throws IOException {
                write(new byte[] { (byte) b }, 0, 1);
            }

            @Override
            public void write(byte[] b, int off, int len) throws IOException {
                ByteBuffer src = ByteBuffer.wrap(b, off, len);
                while (src.hasRemaining())
                    wrap(src);
            }
        };
    }
}
