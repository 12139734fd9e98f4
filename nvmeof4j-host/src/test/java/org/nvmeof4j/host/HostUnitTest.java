package org.nvmeof4j.host;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.nvmeof4j.host.tcp.IcRespCheck;
import org.nvmeof4j.protocol.nvme.Cqe;
import org.nvmeof4j.protocol.nvme.NvmeStatus;
import org.nvmeof4j.protocol.nvme.Opcodes;
import org.nvmeof4j.protocol.pdu.IcRespPdu;

class HostUnitTest
{
    private static IcRespPdu icResp(final int cpda, final boolean h, final boolean d, final long maxh2cdata)
    {
        return new IcRespPdu().wrap(ByteBuffer.allocate(128), 0).encode(cpda, h, d, maxh2cdata);
    }

    @Test
    void shouldAcceptAGoodIcResp()
    {
        assertThat(IcRespCheck.validate(icResp(0, false, false, 0x400000), false, false)).isNull();
        assertThat(IcRespCheck.validate(icResp(31, true, true, 4096), true, true)).isNull();
    }

    @Test
    void shouldRejectDigestsOtherThanRequested()
    {
        assertThat(IcRespCheck.validate(icResp(0, true, false, 8192), true, true))
            .contains("digests header differ from those requested (header+data)");
        assertThat(IcRespCheck.validate(icResp(0, true, true, 8192), false, false)).contains("differ");
    }

    @Test
    void shouldRejectBadCpdaAndMaxh2cdata()
    {
        assertThat(IcRespCheck.validate(icResp(32, false, false, 8192), false, false)).contains("CPDA 32");
        assertThat(IcRespCheck.validate(icResp(0, false, false, 2048), false, false)).contains("MAXH2CDATA 2048");
        assertThat(IcRespCheck.validate(icResp(0, false, false, 4098), false, false)).contains("MAXH2CDATA 4098");
        final IcRespPdu pfv = icResp(0, false, false, 8192).pfv(1);
        assertThat(IcRespCheck.validate(pfv, false, false)).contains("PFV 1");
    }

    @Test
    void shouldNameStatusByOpcode()
    {
        final NvmeException read = new NvmeException("Read", Opcodes.IO_READ,
            NvmeStatus.LBA_OUT_OF_RANGE.status() | Cqe.STATUS_DNR);
        assertThat(read).hasMessage("Read: LBA out of range (0x80) [DNR]");
        assertThat(read.nvmeStatus()).isEqualTo(NvmeStatus.LBA_OUT_OF_RANGE);
        assertThat(read.dnr()).isTrue();
        final NvmeException connect = new NvmeException("Connect", Opcodes.FABRICS, 0x184);
        assertThat(connect.getMessage()).startsWith("Connect: ").contains("(0x184)");
        assertThat(IoQueue.STATUS_CONTROLLER_LOST & NvmeStatus.SCT_SC_MASK)
            .isEqualTo(NvmeStatus.HOST_PATHING_ERROR.status());
    }

    @Test
    void shouldParseNvmeConnectOptions()
    {
        final ConnectOptions o = ConnectOptions.parse(
            "transport=tcp,traddr=10.0.0.1,trsvcid=4421,nqn=nqn.2014-08.org.x:y,nr_io_queues=3,queue_size=64," +
                "hdr_digest,data_digest,keep_alive_tmo=7,reconnect_delay=2,ctrl_loss_tmo=-1,disable_sqflow");
        assertThat(o.traddr()).isEqualTo("10.0.0.1");
        assertThat(o.trsvcid()).isEqualTo(4421);
        assertThat(o.nrIoQueues()).isEqualTo(3);
        assertThat(o.queueSize()).isEqualTo(64);
        assertThat(o.hdrDigest()).isTrue();
        assertThat(o.dataDigest()).isTrue();
        assertThat(o.keepAliveTmo()).isEqualTo(Duration.ofSeconds(7));
        assertThat(o.ctrlLossTmo().isNegative()).isTrue();
        assertThat(o.disableSqflow()).isTrue();
        assertThatThrownBy(() -> ConnectOptions.parse("bogus=1")).hasMessageContaining("unknown option 'bogus'");
        assertThatThrownBy(() -> ConnectOptions.parse("queue_size=x")).hasMessageContaining("queue_size");
    }

    @Test
    void shouldDefaultLikeNvmeConnect()
    {
        final ConnectOptions o = new ConnectOptions();
        assertThat(o.queueSize()).isEqualTo(128);
        assertThat(o.keepAliveTmo()).isEqualTo(Duration.ofSeconds(5));
        assertThat(o.reconnectDelay()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.ctrlLossTmo()).isEqualTo(Duration.ofSeconds(600));
        assertThat(o.trsvcid()).isEqualTo(4420);
        assertThat(o.hdrDigest()).isFalse();
        assertThatThrownBy(() -> NvmeController.connect(ConnectOptions.tcp("127.0.0.1", 1, "nqn.x:y").queueSize(8)))
            .hasMessageContaining("queue_size not in 16..1024");
    }

    @Test
    void shouldKeepAStableHostIdentity(@TempDir final Path dir) throws Exception
    {
        final HostNqn a = HostNqn.load(dir);
        final HostNqn b = HostNqn.load(dir);
        assertThat(a.hostnqn()).isEqualTo(b.hostnqn()).startsWith("nqn.2014-08.org.nvmexpress:uuid:");
        assertThat(a.hostid()).isEqualTo(b.hostid());
        assertThat(a.hostnqn()).endsWith(a.hostid().toString());
        assertThat(Files.readString(dir.resolve("hostnqn")).trim()).isEqualTo(a.hostnqn());
        UUID.fromString(Files.readString(dir.resolve("hostid")).trim());
    }
}
