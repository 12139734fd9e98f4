package org.nvmeof4j.target;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.nvmeof4j.target.TargetTestSupport.NQN;
import static org.nvmeof4j.target.TargetTestSupport.adminSetup;
import static org.nvmeof4j.target.TargetTestSupport.ioSetup;
import static org.nvmeof4j.target.TargetTestSupport.rw;

import java.nio.ByteBuffer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.subsystem.Subsystem;

/**
 * ANA on the target: per-port groups, the ANA log page (with and without RGO, any length and offset), the Identify
 * fields, the path status codes on I/O and the ANA change notice to the controllers of the port that changed.
 */
class AnaTargetTest
{
    /** AEC bit 11 (ANA change notices). */
    private static final int AEC_ANA = 1 << 11;
    private static final int ANA_NOTICE_DW0 = 0x000C0302;

    private Target target;
    private Listener portA;
    private Listener portB;

    @BeforeEach
    void start() throws Exception
    {
        // port A: group 1 optimized (default), group 2 non-optimized; port B: group 1 inaccessible, group 2 optimized
        target = Target.builder()
            .listen("127.0.0.1", 0).anaGroup(2, AnaState.NON_OPTIMIZED)
            .listen("127.0.0.1", 0).anaGroup(1, AnaState.INACCESSIBLE).anaGroup(2, AnaState.OPTIMIZED)
            .subsystem(s -> s.nqn(NQN).allowAnyHost().ramNamespace(1, 1L << 20)
                .anaGroup(2).ramNamespace(2, 1L << 20).ramNamespace(3, 1L << 20))
            .build().start();
        portA = target.listeners().get(0);
        portB = target.listeners().get(1);
    }

    @AfterEach
    void stop()
    {
        target.close();
    }

    private static ByteBuffer command(final RawHost h, final ByteBuffer sqe) throws Exception
    {
        h.send(h.capsule(sqe, null));
        return h.readPdu();
    }

    /** Get Log Page 0Ch: returns the data; the CapsuleResp after it must succeed. */
    private static ByteBuffer anaLog(final RawHost h, final int cid, final int bytes, final boolean rgo,
        final boolean rae, final int offset) throws Exception
    {
        final ByteBuffer sqe = RawHost.sglTransport(RawHost.sqe(0x02, cid, -1), bytes);
        sqe.putInt(40, 0x0C | (rgo ? 1 << 8 : 0) | (rae ? 1 << 15 : 0) | (bytes / 4 - 1) << 16);
        sqe.putInt(48, offset);
        h.send(h.capsule(sqe, null));
        final ByteBuffer pdu = h.readPdu();
        assertThat(pdu.get(0)).as("C2HData").isEqualTo((byte)0x07);
        assertThat(pdu.getInt(16)).as("DATAL: the length asked").isEqualTo(bytes);
        final ByteBuffer data = ByteBuffer.allocate(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < bytes; i++)
        {
            data.put(i, pdu.get(RawHost.pdo(pdu) + i));
        }
        if ((pdu.get(1) & 0x08) == 0)
        {
            assertThat(RawHost.status(h.readPdu())).isZero();
        }
        return data;
    }

    private static void enableAnaNotices(final RawHost admin, final int cid) throws Exception
    {
        final ByteBuffer aec = RawHost.sqe(0x09, cid, 0);
        aec.putInt(40, 0x0B).putInt(44, AEC_ANA);
        assertThat(RawHost.status(command(admin, aec))).isZero();
        admin.send(admin.capsule(RawHost.sqe(0x0C, cid + 1, 0), null)); // AER, parked
    }

    /** A Keep Alive answered before anything else: proof that no notice was waiting to complete the parked AER. */
    private static void assertNoNotice(final RawHost admin, final int cid) throws Exception
    {
        final ByteBuffer r = command(admin, RawHost.sqe(0x18, cid, 0));
        assertThat(RawHost.cqeCid(r)).as("keep alive answered first, no AEN").isEqualTo(cid);
    }

    private static void assertNotice(final RawHost admin, final int aerCid) throws Exception
    {
        final ByteBuffer aen = admin.readPdu();
        assertThat(RawHost.cqeCid(aen)).isEqualTo(aerCid);
        assertThat(RawHost.status(aen)).isZero();
        assertThat(RawHost.dw0(aen)).isEqualTo(ANA_NOTICE_DW0);
    }

    @Test
    void shouldReportAnaInIdentifyControllerAndNamespace() throws Exception
    {
        try (RawHost admin = new RawHost(portA.port()))
        {
            adminSetup(admin, false, false, 1);
            final ByteBuffer id = command(admin, RawHost.sglTransport(RawHost.sqe(0x06, 10, 0), 4096).putInt(40, 1));
            final int p = RawHost.pdo(id);
            assertThat(id.get(p + 76)).as("CMIC: multi-controller and ANA").isEqualTo((byte)0x0A);
            assertThat(id.getInt(p + 92) & 1 << 11).as("OAES: ANA change notices").isNotZero();
            assertThat(id.get(p + 342)).as("ANATT").isEqualTo((byte)10);
            assertThat(id.get(p + 343)).as("ANACAP").isEqualTo((byte)0x1F);
            assertThat(id.getInt(p + 344)).as("ANAGRPMAX").isEqualTo(128);
            assertThat(id.getInt(p + 348)).as("NANAGRPID").isEqualTo(128);
            assertThat(id.getInt(p + 540)).as("MNAN").isEqualTo(Subsystem.MAX_NSID);
            assertThat(RawHost.status(admin.readPdu())).isZero();
            final ByteBuffer ns = command(admin, RawHost.sglTransport(RawHost.sqe(0x06, 11, 3), 4096).putInt(40, 0));
            assertThat(ns.getInt(RawHost.pdo(ns) + 92)).as("ANAGRPID").isEqualTo(2);
            assertThat(ns.get(RawHost.pdo(ns) + 30) & 1).as("NMIC shared").isEqualTo(1);
        }
    }

    @Test
    void shouldServeEachPortItsOwnAnaLog() throws Exception
    {
        try (RawHost a = new RawHost(portA.port()); RawHost b = new RawHost(portB.port()))
        {
            adminSetup(a, false, false, 1);
            adminSetup(b, false, false, 1);
            final ByteBuffer la = anaLog(a, 20, 4096, false, false, 0);
            final long chgcnt = la.getLong(0);
            assertThat(la.getShort(8)).as("NGRPS").isEqualTo((short)2);
            assertThat(la.getInt(16)).as("group 1").isEqualTo(1);
            assertThat(la.getInt(20)).as("NNSIDS").isEqualTo(1);
            assertThat(la.getLong(24)).isEqualTo(chgcnt);
            assertThat(la.get(32)).as("optimized").isEqualTo((byte)0x01);
            assertThat(la.getInt(48)).isEqualTo(1);
            assertThat(la.getInt(52)).as("group 2").isEqualTo(2);
            assertThat(la.getInt(56)).isEqualTo(2);
            assertThat(la.get(68)).as("non-optimized").isEqualTo((byte)0x02);
            assertThat(la.getInt(84)).isEqualTo(2);
            assertThat(la.getInt(88)).isEqualTo(3);
            assertThat(la.getInt(92)).as("zero filled past the page").isZero();

            final ByteBuffer lb = anaLog(b, 21, 4096, false, false, 0);
            assertThat(lb.get(32)).as("group 1 inaccessible on port B").isEqualTo((byte)0x03);
            assertThat(lb.get(68)).as("group 2 optimized on port B").isEqualTo((byte)0x01);
        }
    }

    @Test
    void shouldHonourRgoLengthAndOffset() throws Exception
    {
        try (RawHost a = new RawHost(portA.port()))
        {
            adminSetup(a, false, false, 1);
            final ByteBuffer rgo = anaLog(a, 20, 128, true, false, 0);
            assertThat(rgo.getShort(8)).isEqualTo((short)2);
            assertThat(rgo.getInt(16)).isEqualTo(1);
            assertThat(rgo.getInt(20)).as("no NSIDs with RGO").isZero();
            assertThat(rgo.get(32)).isEqualTo((byte)0x01);
            assertThat(rgo.getInt(48)).as("second descriptor right after the first").isEqualTo(2);
            assertThat(rgo.get(64)).isEqualTo((byte)0x02);
            assertThat(rgo.getInt(80)).as("page ends at 16 + 2 x 32").isZero();

            final ByteBuffer shortRead = anaLog(a, 21, 20, false, false, 0);
            assertThat(shortRead.capacity()).isEqualTo(20);
            assertThat(shortRead.getShort(8)).isEqualTo((short)2);
            assertThat(shortRead.getInt(16)).isEqualTo(1);

            final ByteBuffer tail = anaLog(a, 22, 8, false, false, 52);
            assertThat(tail.getInt(0)).as("group 2 descriptor read from offset 52").isEqualTo(2);
            assertThat(tail.getInt(4)).isEqualTo(2);

            final ByteBuffer past = RawHost.sglTransport(RawHost.sqe(0x02, 23, -1), 8);
            past.putInt(40, 0x0C | 1 << 16).putInt(48, 4096);
            assertThat(RawHost.sctSc(command(a, past))).as("offset past the page").isEqualTo(0x002);
        }
    }

    @Test
    void shouldFailIoWithThePathStatusOfThePortsGroupStateWithoutDnr() throws Exception
    {
        try (RawHost admin = new RawHost(portB.port()); RawHost io = new RawHost(portB.port()))
        {
            ioSetup(io, adminSetup(admin, false, false, 1), 1, false, false);
            // namespace 1 is in group 1, inaccessible through port B
            final ByteBuffer r1 = command(io, RawHost.sglTransport(rw(0x02, 1, 0, 8), 4096));
            assertThat(RawHost.sctSc(r1)).as("ANA inaccessible").isEqualTo(0x302);
            assertThat(RawHost.status(r1) & 0x4000).as("no DNR: the host may fail over").isZero();
            final ByteBuffer w1 = command(io, RawHost.sglTransport(rw(0x01, 2, 0, 8), 4096));
            assertThat(RawHost.sctSc(w1)).as("a write gets no R2T, only the path status").isEqualTo(0x302);
            assertThat(RawHost.sctSc(command(io, rw(0x00, 3, 0, 1)))).as("flush").isEqualTo(0x302);

            portB.anaState(1, AnaState.PERSISTENT_LOSS);
            assertThat(RawHost.sctSc(command(io, RawHost.sglTransport(rw(0x02, 4, 0, 8), 4096)))).isEqualTo(0x301);
            portB.anaState(1, AnaState.CHANGE);
            assertThat(RawHost.sctSc(command(io, RawHost.sglTransport(rw(0x02, 5, 0, 8), 4096)))).isEqualTo(0x303);
            portB.anaState(1, AnaState.NON_OPTIMIZED);
            assertThat(TargetTestSupport.read(io, 6, 0, 4096)).hasSize(4096);

            // port A's states do not matter to port B
            portA.anaState(1, AnaState.INACCESSIBLE);
            assertThat(TargetTestSupport.read(io, 7, 0, 4096)).hasSize(4096);
            // group removed from the port: inaccessible through it
            assertThat(portB.removeAnaGroup(2)).isTrue();
            final ByteBuffer r8 = command(io, RawHost.sglTransport(rw(0x02, 8, 0, 8), 4096).putInt(4, 2));
            assertThat(RawHost.sctSc(r8)).isEqualTo(0x302);
        }
    }

    @Test
    void shouldNotifyEveryControllerOfThePortThatChangedAndNoOther() throws Exception
    {
        try (RawHost a1 = new RawHost(portA.port()); RawHost a2 = new RawHost(portA.port());
             RawHost b = new RawHost(portB.port()))
        {
            adminSetup(a1, false, false, 1);
            adminSetup(a2, false, false, 1);
            adminSetup(b, false, false, 1);
            enableAnaNotices(a1, 20);
            enableAnaNotices(a2, 20);
            enableAnaNotices(b, 20);

            assertThat(portA.anaState(2, AnaState.INACCESSIBLE)).isTrue();
            assertNotice(a1, 21);
            assertNotice(a2, 21);
            assertNoNotice(b, 30);
            assertThat(portA.anaState(2, AnaState.INACCESSIBLE)).as("same state: no change").isFalse();

            // port B's controller gets its own
            portB.anaState(2, AnaState.NON_OPTIMIZED);
            assertNotice(b, 21);
            final ByteBuffer lb = anaLog(b, 31, 4096, false, false, 0);
            assertThat(lb.get(68)).isEqualTo((byte)0x02);
        }
    }

    @Test
    void shouldMaskTheNoticeUntilTheLogIsReadWithoutRae() throws Exception
    {
        try (RawHost a = new RawHost(portA.port()))
        {
            adminSetup(a, false, false, 1);
            enableAnaNotices(a, 20);
            portA.anaState(2, AnaState.CHANGE);
            assertNotice(a, 21);
            a.send(a.capsule(RawHost.sqe(0x0C, 22, 0), null)); // a new AER
            portA.anaState(2, AnaState.OPTIMIZED);
            assertNoNotice(a, 23);                              // masked: the log was not read
            final ByteBuffer retained = anaLog(a, 24, 4096, false, true, 0);
            assertThat(retained.get(68)).isEqualTo((byte)0x01);
            portA.anaState(2, AnaState.NON_OPTIMIZED);
            assertNoNotice(a, 25);                              // read with RAE: still masked
            final ByteBuffer log = anaLog(a, 26, 4096, false, false, 0);
            assertThat(log.get(68)).isEqualTo((byte)0x02);
            final long before = log.getLong(0);
            portA.anaState(2, AnaState.INACCESSIBLE);
            assertNotice(a, 22);                                // unmasked by the read
            assertThat(anaLog(a, 27, 4096, false, false, 0).getLong(0)).as("CHGCNT moves").isGreaterThan(before);
        }
    }

    @Test
    void shouldNotifyTheSubsystemsControllersWhenANamespaceMovesGroup() throws Exception
    {
        try (RawHost a = new RawHost(portA.port()); RawHost b = new RawHost(portB.port()))
        {
            adminSetup(a, false, false, 1);
            adminSetup(b, false, false, 1);
            enableAnaNotices(a, 20);
            enableAnaNotices(b, 20);
            final Subsystem s = target.subsystem(NQN);
            assertThat(s.namespaceAnaGroup(1, 2)).isTrue();
            assertNotice(a, 21);
            assertNotice(b, 21);
            final ByteBuffer la = anaLog(a, 30, 4096, false, false, 0);
            assertThat(la.getInt(20)).as("group 1 now empty").isZero();
            assertThat(la.getInt(48)).as("group 2 right after the empty group 1").isEqualTo(2);
            assertThat(la.getInt(52)).isEqualTo(3);
            assertThat(la.getInt(80)).isEqualTo(1);
            assertThat(la.getInt(84)).isEqualTo(2);
            assertThat(la.getInt(88)).isEqualTo(3);
            final ByteBuffer ns = command(a, RawHost.sglTransport(RawHost.sqe(0x06, 31, 1), 4096).putInt(40, 0));
            assertThat(ns.getInt(RawHost.pdo(ns) + 92)).isEqualTo(2);
        }
    }

    @Test
    void shouldRefuseBadGroupsAndStates()
    {
        assertThatThrownBy(() -> portA.anaState(0, AnaState.OPTIMIZED)).isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("1..128");
        assertThatThrownBy(() -> portA.anaState(129, AnaState.OPTIMIZED))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> portA.anaState(2, null)).isInstanceOf(NullPointerException.class);
        assertThatThrownBy(() -> portA.removeAnaGroup(1)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.subsystem(NQN).namespaceAnaGroup(1, 200))
            .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> target.subsystem(NQN).namespaceAnaGroup(9, 2))
            .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("no namespace 9");
        assertThatThrownBy(() -> Target.builder().anaGroup(2, AnaState.OPTIMIZED))
            .isInstanceOf(IllegalStateException.class);
        assertThat(portA.anaGroups().groups()).containsOnlyKeys(1, 2);
        assertThat(portB.anaGroups().state(77)).as("not created on the port").isEqualTo(AnaState.INACCESSIBLE);
    }

    @Test
    void shouldTakeAPortDownWithItsControllersAndBringItBackOnTheSamePort() throws Exception
    {
        final int port = portA.port();
        try (RawHost a = new RawHost(port); RawHost b = new RawHost(portB.port()))
        {
            adminSetup(a, false, false, 1);
            adminSetup(b, false, false, 1);
            assertThat(target.controllers()).hasSize(2);
            portA.disconnect();
            assertThat(portA.isOpen()).isFalse();
            assertThat(a.closedByPeer()).as("the port's controller is torn down").isTrue();
            assertNoNotice(b, 40);                               // the other port's controller lives on
            assertThatThrownBy(() -> new RawHost(port).close()).isInstanceOf(java.io.IOException.class);
        }
        portA.reopen();
        assertThat(portA.isOpen()).isTrue();
        assertThat(portA.port()).isEqualTo(port);
        try (RawHost again = new RawHost(port))
        {
            adminSetup(again, false, false, 1);
        }
    }

    @Test
    void shouldTakeDownAnIoQueueThatCameInThroughAnotherPortThanItsAdminQueue() throws Exception
    {
        // admin queue through port A, I/O queue 1 through port B (same subsystem, same CNTLID)
        try (RawHost admin = new RawHost(portA.port()); RawHost io = new RawHost(portB.port());
            RawHost other = new RawHost(portA.port()))
        {
            final int cntlid = adminSetup(admin, false, false, 1);
            ioSetup(io, cntlid, 1, false, false);
            adminSetup(other, false, false, 1);
            assertThat(target.controllers()).hasSize(2);
            portB.disconnect();
            assertThat(io.closedByPeerNotTimedOut()).as("the I/O queue that came in through port B").isTrue();
            assertThat(admin.closedByPeerNotTimedOut()).as("its controller lost a queue: torn down").isTrue();
            assertThat(target.controllers()).extracting(c -> c.cntlid()).doesNotContain(cntlid);
            assertThat(target.controllers()).as("port A's other controller lives on").hasSize(1);
            assertNoNotice(other, 40);
        }
        portB.reopen();
    }
}
