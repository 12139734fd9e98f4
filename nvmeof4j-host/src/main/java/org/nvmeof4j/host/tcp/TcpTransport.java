package org.nvmeof4j.host.tcp;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.channels.SocketChannel;
import java.util.concurrent.locks.LockSupport;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NanoClock;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.host.spi.NvmeTransport;
import org.nvmeof4j.host.spi.TransportController;
import org.nvmeof4j.host.spi.TransportQueue;

/**
 * The NVMe/TCP transport ({@code transport=tcp}), the analog of Linux's {@code nvme_tcp_transport}: a queue is one
 * TCP connection ({@link TcpConnection}), opened with the ICReq/ICResp exchange; after the Fabrics Connect of an
 * I/O queue the receive offload ({@link ReadOffload}, ULP DDP) is installed if one is configured.
 */
public final class TcpTransport implements NvmeTransport
{
    /** The transport's name in connect strings and {@code -t}. */
    public static final String NAME = "tcp";

    @Override
    public String name()
    {
        return NAME;
    }

    @Override
    public void validate(final ConnectOptions options)
    {
        if (options.trsvcid() < 1 || options.trsvcid() > 65535)
        {
            throw new IllegalArgumentException("trsvcid not in 1..65535: " + options.trsvcid());
        }
    }

    @Override
    public TransportController createController(final ConnectOptions options)
    {
        return new Controller(options);
    }

    /** The tcp side of one controller: where to connect, with which digests, and the optional read offload. */
    private static final class Controller implements TransportController
    {
        private final ConnectOptions options;
        private final NanoClock clock;

        Controller(final ConnectOptions options)
        {
            this.options = options;
            this.clock = options.clock();
        }

        @Override
        public String address()
        {
            return options.traddr() + ":" + options.trsvcid();
        }

        private String where()
        {
            return address() + " (" + options.nqn() + ")";
        }

        @Override
        public TransportQueue connectQueue(final int qid, final int queueSize, final long deadlineNanos)
        {
            final SocketChannel ch;
            try
            {
                ch = SocketChannel.open();
                ch.socket().connect(new InetSocketAddress(options.traddr(), options.trsvcid()),
                    (int)Math.max(1, (deadlineNanos - clock.nanoTime()) / 1_000_000));
            }
            catch (final IOException e)
            {
                throw new NvmeTransportException("cannot connect to " + where() + ": " + e.getMessage(), e);
            }
            final TcpConnection conn;
            try
            {
                conn = new TcpConnection(ch, qid, queueSize, options.hdrDigest(), options.dataDigest());
            }
            catch (final IOException e)
            {
                closeQuietly(ch);
                throw new NvmeTransportException("cannot set up socket to " + where() + ": " + e.getMessage(), e);
            }
            if (options.tls())
            {
                secure(conn, ch);
            }
            conn.sendIcReq();
            while (!conn.isInitialized())
            {
                if (conn.isClosed())
                {
                    throw new NvmeTransportException("ICReq to " + where() + " failed: " + conn.closeReason());
                }
                if (conn.poll() == 0)
                {
                    if (clock.nanoTime() - deadlineNanos > 0)
                    {
                        conn.close("ICResp timeout", null);
                        throw new NvmeTransportException("no ICResp from " + where() + " within " +
                            options.connectTimeout().toMillis() + " ms");
                    }
                    LockSupport.parkNanos(20_000);
                }
            }
            return conn;
        }

        @Override
        public void startQueue(final TransportQueue queue)
        {
            final ReadOffload.Factory offload = options.readOffload();
            // the receive offload reads the socket itself: it cannot see through TLS
            if (offload == null || queue.qid() == 0 || options.tls())
            {
                return;
            }
            // ULP DDP: only I/O queues, after ICReq/ICResp and Connect (seed 000, nvme_tcp_start_queue)
            final TcpConnection conn = (TcpConnection)queue;
            try
            {
                conn.readOffload(offload.create(conn));
            }
            catch (final RuntimeException e)
            {
                conn.readOffload(null); // an offload that fails to set up falls back to software, silently
            }
        }

        @Override
        public long maxTransferBytes(final TransportQueue adminQueue)
        {
            final ReadOffload.Factory offload = options.readOffload();
            if (offload == null || options.isDiscovery())
            {
                return 0;
            }
            // the admin queue queries the offload's limits and caps the transfer size (nvme_tcp_offload_apply_limits)
            return Math.max(0, offload.maxTransferBytes((TcpConnection)adminQueue));
        }

        /** TLS 1.3 with the configured PSK, derived for this host and subsystem (TP 8011); ICReq goes inside. */
        private void secure(final TcpConnection conn, final SocketChannel ch)
        {
            if (options.tlsKey() == null)
            {
                conn.close("no TLS key", null);
                throw new NvmeTransportException("TLS to " + where() + " needs a PSK (--tls-key)");
            }
            try
            {
                final String hostNqn = options.hostnqn() != null ? options.hostnqn() :
                    org.nvmeof4j.host.HostNqn.defaultIdentity().hostnqn();
                conn.secure(org.nvmeof4j.tcp.tls.TlsProvider.get().client(ch, java.util.List.of(
                    options.tlsCompat()
                        ? org.nvmeof4j.tcp.tls.TlsPsk.deriveCompat(options.tlsKey(), hostNqn, options.nqn(),
                            options.tlsIdentityVersion()).withSha256Binder()
                        : org.nvmeof4j.tcp.tls.TlsPsk.derive(options.tlsKey(), hostNqn, options.nqn(),
                            options.tlsIdentityVersion()))));
            }
            catch (final IOException | RuntimeException e)
            {
                conn.close("TLS setup failed", null);
                throw new NvmeTransportException("cannot start TLS to " + where() + ": " + e.getMessage(), e);
            }
        }

        private static void closeQuietly(final SocketChannel ch)
        {
            try
            {
                ch.close();
            }
            catch (final IOException ignore)
            {
                // closing anyway
            }
        }
    }
}
