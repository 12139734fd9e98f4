package org.nvmeof4j.host.offload;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.nvmeof4j.host.ConnectOptions;
import org.nvmeof4j.host.NvmeTransportException;
import org.nvmeof4j.host.spi.NvmeTransport;
import org.nvmeof4j.host.spi.TransportController;
import org.nvmeof4j.host.spi.TransportQueue;

/**
 * The NVMe/TCP offload ULP ({@code transport=tcp_offload}, seed 002's {@code nvme-tcp-offload}): the controller level
 * stays where it is for every transport ({@link org.nvmeof4j.host.NvmeController}: connect, enable, identify,
 * keep-alive, AER, timeouts, error recovery, reconnect, the polled and async APIs, MDTS splitting); each queue is
 * created in an offload device ({@link NvmeTcpOfldOps#createQueue}) and its commands are requests the device runs
 * ({@link NvmeTcpOfldQueue}). The device is found by {@link NvmeTcpOffload#claim} when the options are validated and
 * again at every reconnect, so a controller whose device was unregistered moves to another that reaches the target.
 */
public final class TcpOffloadTransport implements NvmeTransport
{
    /** The transport's name in connect strings and {@code -t}. */
    public static final String NAME = "tcp_offload";

    private static final Set<NvmeTcpOfldQueue> LIVE = ConcurrentHashMap.newKeySet();

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
        NvmeTcpOffload.claim(options);
    }

    @Override
    public TransportController createController(final ConnectOptions options)
    {
        return new Controller(options);
    }

    /** A device was unregistered: fail every queue on it. */
    static void deviceGone(final NvmeTcpOfldDev dev)
    {
        for (final NvmeTcpOfldQueue q : LIVE)
        {
            if (q.ctrl().dev() == dev)
            {
                q.reportQueueErr("offload device " + dev.name() + " unregistered", null);
            }
        }
    }

    /** The ULP side of one controller: the device it is on and the driver's controller state. */
    private static final class Controller implements TransportController
    {
        private final ConnectOptions options;
        private Bound<?, ?> bound;

        Controller(final ConnectOptions options)
        {
            this.options = options;
        }

        @Override
        public String address()
        {
            return options.traddr() + ":" + options.trsvcid();
        }

        private synchronized Bound<?, ?> device()
        {
            if (bound != null && !NvmeTcpOffload.isRegistered(bound.ctrl.dev()))
            {
                bound.release();
                bound = null;
            }
            if (bound == null)
            {
                final NvmeTcpOfldDev dev;
                try
                {
                    dev = NvmeTcpOffload.claim(options);
                }
                catch (final IllegalArgumentException e)
                {
                    throw new NvmeTransportException(e.getMessage(), e);
                }
                bound = Bound.setup(dev, new NvmeTcpOfldCtrl(options, dev));
            }
            return bound;
        }

        @Override
        public TransportQueue connectQueue(final int qid, final int queueSize, final long deadlineNanos)
        {
            return device().createQueue(qid, queueSize, deadlineNanos);
        }

        @Override
        public long maxTransferBytes(final TransportQueue adminQueue)
        {
            final Bound<?, ?> b = bound;
            return b == null ? 0 : b.ctrl.dev().maxTransferBytes();
        }

        @Override
        public synchronized void close()
        {
            if (bound != null)
            {
                bound.release();
                bound = null;
            }
        }
    }

    /** A controller set up on a device: the driver's typed controller state and its ops. */
    private static final class Bound<C, Q>
    {
        final NvmeTcpOfldOps<C, Q> ops;
        final NvmeTcpOfldCtrl ctrl;
        final C c;

        private Bound(final NvmeTcpOfldOps<C, Q> ops, final NvmeTcpOfldCtrl ctrl, final C c)
        {
            this.ops = ops;
            this.ctrl = ctrl;
            this.c = c;
        }

        @SuppressWarnings("unchecked")
        static Bound<?, ?> setup(final NvmeTcpOfldDev dev, final NvmeTcpOfldCtrl ctrl)
        {
            final NvmeTcpOfldOps<Object, Object> ops = (NvmeTcpOfldOps<Object, Object>)dev.ops();
            return new Bound<>(ops, ctrl, ops.setupCtrl(ctrl));
        }

        TransportQueue createQueue(final int qid, final int queueSize, final long deadlineNanos)
        {
            final NvmeTcpOfldQueue queue = new NvmeTcpOfldQueue(ctrl, qid, queueSize);
            final Q q;
            try
            {
                q = ops.createQueue(c, queue, qid, queueSize, deadlineNanos);
            }
            catch (final RuntimeException e)
            {
                throw e instanceof NvmeTransportException ? e : new NvmeTransportException(
                    "offload device " + ctrl.dev().name() + " could not create queue " + qid + ": " + e, e);
            }
            queue.bind(ops, q);
            for (int i = 0; i < queueSize; i++)
            {
                ops.initReq(q, queue.req(i));
            }
            LIVE.add(queue);
            queue.onStopped(LIVE::remove);
            return queue.transportQueue();
        }

        void release()
        {
            try
            {
                ops.releaseCtrl(c);
            }
            catch (final RuntimeException ignore)
            {
                // the controller is going either way
            }
        }
    }
}
