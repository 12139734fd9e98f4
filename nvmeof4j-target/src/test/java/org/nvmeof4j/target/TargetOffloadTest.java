package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.nvmeof4j.target.TargetTestSupport.NQN;
import static org.nvmeof4j.target.TargetTestSupport.adminSetup;
import static org.nvmeof4j.target.TargetTestSupport.ioSetup;
import static org.nvmeof4j.target.TargetTestSupport.pattern;
import static org.nvmeof4j.target.TargetTestSupport.read;
import static org.nvmeof4j.target.TargetTestSupport.rw;
import static org.nvmeof4j.target.TargetTestSupport.writeR2t;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.target.backend.RamBackend;
import org.nvmeof4j.target.offload.BackendController;
import org.nvmeof4j.target.offload.BackendQueue;
import org.nvmeof4j.target.offload.BackendTimeoutException;
import org.nvmeof4j.target.offload.FastpathDevice;
import org.nvmeof4j.target.offload.NamespaceMapping;
import org.nvmeof4j.target.offload.OffloadCapabilities;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadContextAttributes;
import org.nvmeof4j.target.offload.OffloadEvent;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;
import org.nvmeof4j.target.offload.OffloadType;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * The {@code fastpath} target offload on the wire, driven by a hand-rolled host: what it serves, what it leaves to the
 * software target, the RFC's rule that nothing is served before Connect, events and counters.
 */
class TargetOffloadTest
{
    private static final long SIZE = 4L << 20;

    @TempDir
    Path dir;

    private Target target;
    private OffloadContext ctx;

    @AfterEach
    void tearDown()
    {
        if (ctx != null)
        {
            ctx.destroy();
        }
        if (target != null)
        {
            target.close();
        }
    }

    /** A subsystem with a file namespace 1 (offloaded) and a RAM namespace 2 (software), 512-byte blocks. */
    private Subsystem start(final FastpathDevice device) throws Exception
    {
        final Path file = dir.resolve("ns1.img");
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, file, SIZE).ramNamespace(2, SIZE))
            .build().start();
        final Subsystem s = target.subsystem(NQN);
        ctx = device.offloadFileNamespaces(s, 8192, 2);
        return s;
    }

    private RawHost ioQueue(final boolean hd, final boolean dd) throws IOException
    {
        final RawHost admin = new RawHost(target.boundPort());
        final int cntlid = adminSetup(admin, hd, dd, 1);
        final RawHost io = new RawHost(target.boundPort());
        ioSetup(io, cntlid, 1, hd, dd);
        return io;
    }

    private OffloadNamespaceStats stats(final int nsid)
    {
        return ctx.mapping(nsid).stats();
    }

    @ParameterizedTest(name = "digests={0} mapped reads={1}")
    @CsvSource({"false,true", "true,true", "false,false", "true,false"})
    void shouldServeWritesThroughStagingAndReadsMappedOrWithZeroCopyOnlyWithoutDataDigest(final boolean digests,
        final boolean mapped) throws Exception
    {
        // mapped reads off and no size floor: every read (128 KiB and 4 KiB) goes out with sendfile
        start(mapped ? new FastpathDevice() : new FastpathDevice(OffloadCapabilities.builder().build(), 0, false));
        assertThat(ctx.mappings()).extracting(NamespaceMapping::feNsid).containsExactly(1);
        try (RawHost io = ioQueue(digests, digests))
        {
            final byte[] data = pattern(128 * 1024, 7);
            assertThat(RawHost.status(writeR2t(io, 1, 64, data))).isZero();
            assertThat(read(io, 2, 64, data.length)).isEqualTo(data);
            final byte[] small = pattern(4096, 9);
            assertThat(RawHost.status(writeR2t(io, 3, 0, small))).isZero();
            assertThat(read(io, 4, 0, 4096)).isEqualTo(small);
        }
        final OffloadNamespaceStats st = stats(1);
        assertThat(st.getWrites()).isEqualTo(2);
        assertThat(st.getStagedWrites()).isEqualTo(2);
        assertThat(st.getReads()).isEqualTo(2);
        assertThat(st.getZeroCopyReads()).isEqualTo(digests || mapped ? 0 : 2);
        assertThat(st.getMappedReads()).isEqualTo(digests || !mapped ? 0 : 2);
        assertThat(st.getBytesWritten()).isEqualTo(128 * 1024 + 4096);
        assertThat(st.getBytesRead()).isEqualTo(128 * 1024 + 4096);
        assertThat(st.getErrors()).isZero();
        assertThat(st.latency().totalCount()).isEqualTo(4);
        assertThat(awaitChunksReleased()).as("staging chunks released").isZero();
        // the bytes are in the file, where the software target sees them too
        final byte[] onDisk = Files.readAllBytes(dir.resolve("ns1.img"));
        assertThat(java.util.Arrays.copyOfRange(onDisk, 64 * 512, 64 * 512 + data(128 * 1024).length))
            .isEqualTo(pattern(128 * 1024, 7));
    }

    /** The last chunk is released on the target's thread once its PDU is written: wait (bounded) for that. */
    private int awaitChunksReleased() throws InterruptedException
    {
        final long deadline = System.nanoTime() + 5_000_000_000L;
        while (ctx.stagingChunksInUse() != 0 && System.nanoTime() < deadline)
        {
            Thread.sleep(5);
        }
        return ctx.stagingChunksInUse();
    }

    private static byte[] data(final int n)
    {
        return new byte[n];
    }

    @Test
    void shouldServeInCapsuleWritesAndFlushes() throws Exception
    {
        start(new FastpathDevice());
        try (RawHost io = ioQueue(false, false))
        {
            final byte[] data = pattern(4096, 3);
            io.send(io.capsule(RawHost.sglInCapsule(rw(0x01, 5, 8, 8), data.length), data));
            assertThat(RawHost.status(io.readPdu())).isZero();
            io.send(io.capsule(RawHost.sqe(0x00, 6, 1), null));
            assertThat(RawHost.status(io.readPdu())).as("flush").isZero();
            assertThat(read(io, 7, 8, 4096)).isEqualTo(data);
        }
        assertThat(stats(1).getWrites()).isEqualTo(1);
        assertThat(stats(1).getStagedWrites()).as("in-capsule data is not staged in the pool").isZero();
        assertThat(stats(1).getFlushes()).isEqualTo(1);
    }

    @Test
    void shouldLeaveCommandsItDoesNotOffloadToTheSoftwareTarget() throws Exception
    {
        start(new FastpathDevice());
        try (RawHost io = ioQueue(false, false))
        {
            final byte[] data = pattern(8192, 5);
            assertThat(RawHost.status(writeR2t(io, 1, 0, data))).isZero();
            // Write Zeroes on the mapped namespace: software, on the same file
            final ByteBuffer wz = rw(0x08, 2, 0, 8);
            io.send(io.capsule(wz, null));
            assertThat(RawHost.status(io.readPdu())).isZero();
            final byte[] back = read(io, 3, 0, 8192);
            assertThat(java.util.Arrays.copyOfRange(back, 0, 4096)).isEqualTo(new byte[4096]);
            assertThat(java.util.Arrays.copyOfRange(back, 4096, 8192))
                .isEqualTo(java.util.Arrays.copyOfRange(data, 4096, 8192));
            // the RAM namespace 2 is not mapped: software serves it
            final ByteBuffer w2 = RawHost.sglTransport(rw(0x01, 4, 0, 8), 4096);
            w2.putInt(4, 2);
            io.send(io.capsule(w2, null));
            final ByteBuffer r2t = io.readPdu();
            assertThat(r2t.get(0)).isEqualTo((byte)0x09);
            io.send(io.h2cData(4, r2t.getShort(10) & 0xFFFF, 0, pattern(4096, 1), true));
            assertThat(RawHost.status(io.readPdu())).isZero();
            // an LBA range error on the mapped namespace: the device answers, as software would
            final ByteBuffer bad = RawHost.sglTransport(rw(0x02, 5, SIZE / 512, 1), 512);
            io.send(io.capsule(bad, null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(NvmeStatus.LBA_OUT_OF_RANGE.status());
        }
        assertThat(stats(1).getWrites()).isEqualTo(1);
        assertThat(stats(1).getReads()).isEqualTo(1);
        assertThat(stats(1).getErrors()).isEqualTo(1);
        assertThat(ctx.mapping(2)).isNull();
    }

    @Test
    void shouldNotServeACapsuleThatArrivesBeforeConnect() throws Exception
    {
        start(new FastpathDevice());
        try (RawHost raw = new RawHost(target.boundPort()))
        {
            raw.initialize(false, false);
            raw.send(raw.capsule(RawHost.sglTransport(rw(0x02, 1, 0, 8), 4096), null));
            final ByteBuffer resp = raw.readPdu();
            assertThat(resp.get(0)).as("a CapsuleResp, no data").isEqualTo((byte)0x05);
            assertThat(RawHost.sctSc(resp)).isEqualTo(NvmeStatus.COMMAND_SEQUENCE_ERROR.status());
        }
        assertThat(stats(1).getReads()).isZero();
        assertThat(stats(1).getErrors()).isZero();
    }

    @Test
    void shouldFailAndRaiseUnsupportedCommandWhenTheConnectionCarriesNoNonOffloadedCommands() throws Exception
    {
        start(new FastpathDevice(OffloadCapabilities.builder().supportsNonOffloadedOps(false).build()));
        final List<OffloadEvent> events = new CopyOnWriteArrayList<>();
        ctx.addEventListener(events::add);
        try (RawHost io = ioQueue(false, false))
        {
            io.send(io.capsule(rw(0x08, 1, 0, 8), null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(NvmeStatus.INVALID_OPCODE.status());
            final ByteBuffer r2 = RawHost.sglTransport(rw(0x02, 2, 0, 1), 512);
            r2.putInt(4, 2);
            io.send(io.capsule(r2, null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(NvmeStatus.INVALID_NAMESPACE_OR_FORMAT.status());
            // offloaded commands still work on that connection
            assertThat(read(io, 3, 0, 512)).hasSize(512);
        }
        assertThat(events).extracting(OffloadEvent::type).containsExactly(OffloadEvent.Type.UNSUPPORTED_COMMAND,
            OffloadEvent.Type.UNSUPPORTED_COMMAND);
        assertThat(events.get(0).opcode()).isEqualTo(0x08);
        assertThat(events.get(1).feNsid()).isEqualTo(2);
        assertThat(ctx.eventCount(OffloadEvent.Type.UNSUPPORTED_COMMAND)).isEqualTo(2);
    }

    @Test
    void shouldServeOnlyWhatTheOffloadTypeCovers() throws Exception
    {
        final Path file = dir.resolve("ns1.img");
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().fileNamespace(1, file, SIZE)).build().start();
        final Subsystem s = target.subsystem(NQN);
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.createContext(s, OffloadContextAttributes.defaults(dev.capabilities(), 8192)
            .withOffloadType(OffloadType.READ));
        final BackendController c = ctx.addBackendController(new org.nvmeof4j.target.offload.FileBackendController(
            (org.nvmeof4j.target.backend.FileBackend)s.namespace(1).backend(), 1, 128));
        ctx.mapNamespace(1, c, 1, 512);
        try (RawHost io = ioQueue(false, false))
        {
            final byte[] data = pattern(4096, 11);
            assertThat(RawHost.status(writeR2t(io, 1, 0, data))).isZero();
            io.send(io.capsule(RawHost.sqe(0x00, 2, 1), null));
            assertThat(RawHost.status(io.readPdu())).isZero();
            assertThat(read(io, 3, 0, 4096)).isEqualTo(data);
        }
        assertThat(stats(1).getWrites()).as("writes went to software").isZero();
        assertThat(stats(1).getFlushes()).as("flushes went to software").isZero();
        assertThat(stats(1).getReads()).isEqualTo(1);
    }

    @Test
    void shouldCompleteWithTheRightStatusAndRaiseEventsWhenTheBackendFailsOrTimesOut() throws Exception
    {
        final FaultyBackend faulty = new FaultyBackend();
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, SIZE).ramNamespace(2, SIZE))
            .build().start();
        final Subsystem s = target.subsystem(NQN);
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.createContext(s, OffloadContextAttributes.defaults(dev.capabilities(), 8192));
        ctx.mapNamespace(1, ctx.addBackendController(faulty), 1, 512);
        final Counting healthy = new Counting(SIZE);
        ctx.mapNamespace(2, ctx.addBackendController(healthy), 1, 512);
        final List<OffloadEvent> events = new CopyOnWriteArrayList<>();
        ctx.addEventListener(events::add);
        try (RawHost io = ioQueue(false, false))
        {
            faulty.mode = FaultyBackend.ERROR;
            io.send(io.capsule(RawHost.sglTransport(rw(0x02, 1, 0, 8), 4096), null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(NvmeStatus.INTERNAL_ERROR.status());
            faulty.mode = FaultyBackend.TIMEOUT;
            assertThat(RawHost.sctSc(writeR2t(io, 2, 0, pattern(4096, 1))))
                .isEqualTo(NvmeStatus.INTERNAL_PATH_ERROR.status());
            io.send(io.capsule(RawHost.sqe(0x00, 3, 1), null));
            assertThat(RawHost.sctSc(io.readPdu())).isEqualTo(NvmeStatus.INTERNAL_PATH_ERROR.status());
            // the other namespace keeps serving
            final ByteBuffer w2 = RawHost.sglTransport(rw(0x01, 4, 0, 8), 4096);
            w2.putInt(4, 2);
            io.send(io.capsule(w2, null));
            final ByteBuffer r2t = io.readPdu();
            io.send(io.h2cData(4, r2t.getShort(10) & 0xFFFF, 0, pattern(4096, 2), true));
            assertThat(RawHost.status(io.readPdu())).isZero();
            final ByteBuffer f2 = RawHost.sqe(0x00, 5, 2);
            io.send(io.capsule(f2, null));
            assertThat(RawHost.status(io.readPdu())).isZero();
        }
        assertThat(events).extracting(OffloadEvent::type).containsExactly(OffloadEvent.Type.BACKEND_ERROR,
            OffloadEvent.Type.BACKEND_TIMEOUT, OffloadEvent.Type.BACKEND_TIMEOUT);
        assertThat(events).allSatisfy(e -> assertThat(e.feNsid()).isEqualTo(1));
        assertThat(stats(1).getErrors()).isEqualTo(3);
        assertThat(stats(2).getWrites()).isEqualTo(1);
        assertThat(healthy.flushes.get()).as("Flush reached the backend").isEqualTo(1);
        assertThat(healthy.written.get()).isEqualTo(4096);
        assertThat(awaitChunksReleased()).isZero();
    }

    @Test
    void shouldRoundRobinOverTheBackendControllersQueues() throws Exception
    {
        target = Target.builder().listen("127.0.0.1", 0)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, SIZE)).build().start();
        final FastpathDevice dev = new FastpathDevice();
        ctx = dev.createContext(target.subsystem(NQN), OffloadContextAttributes.defaults(dev.capabilities(), 8192));
        final Counting backend = new Counting(SIZE, 3);
        ctx.mapNamespace(1, ctx.addBackendController(backend), 1, 512);
        try (RawHost io = ioQueue(false, false))
        {
            for (int i = 0; i < 6; i++)
            {
                read(io, 10 + i, i, 512);
            }
        }
        assertThat(backend.perQueue).containsExactly(2, 2, 2);
    }

    @Test
    void shouldEndAnOffloadedConnectionWithTheSameTermReqOnAMalformedPdu() throws Exception
    {
        start(new FastpathDevice());
        try (RawHost io = ioQueue(false, false))
        {
            final ByteBuffer bad = io.h2cData(1, 99, 0, pattern(512, 1), true);
            io.send(bad);
            FatalErrorTest.expectTermReq(io, 0x01, org.nvmeof4j.protocol.pdu.DataPdu.TTAG_OFFSET, bad);
        }
    }

    /** A backend controller whose queue fails as told. */
    static final class FaultyBackend implements BackendController, BackendQueue
    {
        static final int ERROR = 1;
        static final int TIMEOUT = 2;
        volatile int mode;

        private void fail() throws IOException
        {
            if (mode == TIMEOUT)
            {
                throw new BackendTimeoutException("no completion within 30 s");
            }
            throw new IOException("backend controller gone");
        }

        @Override
        public void read(final int nsid, final long offset, final ByteBuffer dst, final int index, final int length)
            throws IOException
        {
            fail();
        }

        @Override
        public void write(final int nsid, final long offset, final ByteBuffer src, final int index, final int length)
            throws IOException
        {
            fail();
        }

        @Override
        public void flush(final int nsid) throws IOException
        {
            fail();
        }

        @Override
        public String name()
        {
            return "faulty";
        }

        @Override
        public int queueCount()
        {
            return 1;
        }

        @Override
        public BackendQueue queue(final int i)
        {
            return this;
        }

        @Override
        public int queueDepth()
        {
            return 32;
        }

        @Override
        public long namespaceSize(final int nsid)
        {
            return nsid == 1 ? SIZE : -1;
        }

        @Override
        public int lbaDataSize(final int nsid)
        {
            return 512;
        }

        @Override
        public void close()
        {
        }
    }

    /** A RAM backend controller that counts what reaches it, per queue. */
    static final class Counting implements BackendController
    {
        final RamBackend ram;
        final AtomicInteger flushes = new AtomicInteger();
        final AtomicInteger written = new AtomicInteger();
        final int[] perQueue;
        private final BackendQueue[] queues;

        Counting(final long size)
        {
            this(size, 1);
        }

        Counting(final long size, final int n)
        {
            ram = new RamBackend(size);
            perQueue = new int[n];
            queues = new BackendQueue[n];
            for (int i = 0; i < n; i++)
            {
                final int q = i;
                queues[i] = new BackendQueue()
                {
                    @Override
                    public void read(final int nsid, final long offset, final ByteBuffer dst, final int index,
                        final int length) throws IOException
                    {
                        perQueue[q]++;
                        ram.read(offset, dst, index, length);
                    }

                    @Override
                    public void write(final int nsid, final long offset, final ByteBuffer src, final int index,
                        final int length) throws IOException
                    {
                        perQueue[q]++;
                        written.addAndGet(length);
                        ram.write(offset, src, index, length);
                    }

                    @Override
                    public void flush(final int nsid)
                    {
                        flushes.incrementAndGet();
                    }
                };
            }
        }

        @Override
        public String name()
        {
            return "counting";
        }

        @Override
        public int queueCount()
        {
            return queues.length;
        }

        @Override
        public BackendQueue queue(final int i)
        {
            return queues[i];
        }

        @Override
        public int queueDepth()
        {
            return 64;
        }

        @Override
        public long namespaceSize(final int nsid)
        {
            return nsid == 1 ? ram.size() : -1;
        }

        @Override
        public int lbaDataSize(final int nsid)
        {
            return 0;
        }

        @Override
        public void close()
        {
        }
    }
}
