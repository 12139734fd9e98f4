package org.nvmeof4j.cli.metrics;

import static org.nvmeof4j.cli.metrics.PrometheusText.Type.COUNTER;
import static org.nvmeof4j.cli.metrics.PrometheusText.Type.GAUGE;
import static org.nvmeof4j.cli.metrics.PrometheusText.Type.HISTOGRAM;

import java.util.Locale;
import org.nvmeof4j.ddp.UlpDdpDevice;
import org.nvmeof4j.ddp.UlpDdpRegistry;
import org.nvmeof4j.ddp.UlpDdpStats;
import org.nvmeof4j.host.offload.NvmeTcpOffload;
import org.nvmeof4j.host.offload.NvmeTcpOfldDev;
import org.nvmeof4j.host.offload.NvmeTcpOfldStats;
import org.nvmeof4j.target.LimitCounters;
import org.nvmeof4j.target.Target;
import org.nvmeof4j.target.controller.Controller;
import org.nvmeof4j.target.offload.NamespaceMapping;
import org.nvmeof4j.target.offload.OffloadContext;
import org.nvmeof4j.target.offload.OffloadNamespaceStats;
import org.nvmeof4j.target.queue.TargetQueue;
import org.nvmeof4j.target.subsystem.Namespace;
import org.nvmeof4j.target.subsystem.NamespaceCounters;
import org.nvmeof4j.target.subsystem.Subsystem;
import org.nvmeof4j.tcp.Poller;

/**
 * The counters nvmeof4j exposes on {@code --metrics}, read from the stats objects and getters the modules already
 * keep (nothing here runs on an I/O thread). Names follow Prometheus' conventions: the {@code nvmeof4j_} prefix,
 * {@code _total} on counters, base units in the name ({@code _bytes}); where the kernel names a statistic, that name
 * is kept inside ({@code nvmeof4j_ddp_rx_nvme_tcp_bytes_total} is the ULP DDP documentation's
 * {@code rx_nvme_tcp_bytes}, {@code nvmeof4j_offload_nvme_tcp_ofld_reqs_sent_total} the offload ULP's
 * {@code nvme_tcp_ofld_reqs_sent}). Labels: {@code subsystem} (NQN), {@code nsid}, {@code cntlid}, {@code qid},
 * {@code device}, {@code op}.
 */
public final class Nvmeof4jMetrics
{
    private Nvmeof4jMetrics()
    {
    }

    /** The target: connections, limits, and per subsystem, namespace and queue. */
    public static void target(final Target target, final PrometheusText p)
    {
        p.sample("nvmeof4j_target_connections_accepted_total", COUNTER, "TCP connections accepted by the target's " +
            "listeners", target.connectionsAccepted());
        final LimitCounters l = target.limitCounters();
        final String refused = "nvmeof4j_target_connections_refused_total";
        p.family(refused, COUNTER, "Connections closed at accept because a connection limit was reached, by limit");
        p.sample(refused, l.refusedPerPort(), "limit", "per_port");
        p.sample(refused, l.refusedPerAddress(), "limit", "per_address");
        final String timeouts = "nvmeof4j_target_connection_timeouts_total";
        p.family(timeouts, COUNTER, "Connections dropped for not sending the step in time: icreq (ICReq after " +
            "accept) or connect (Fabrics Connect after ICResp)");
        p.sample(timeouts, l.icReqTimeouts(), "step", "icreq");
        p.sample(timeouts, l.connectTimeouts(), "step", "connect");
        final String tls = "nvmeof4j_target_tls_failures_total";
        p.family(tls, COUNTER, "TLS sessions that failed, by reason: unknown_identity (no key for the PSK identity " +
            "offered), bad_key (PSK binder or record MAC did not verify), alert_received (fatal alert from the host), " +
            "plaintext (no TLS record on a port that requires TLS), timeout (no handshake within the ICReq timeout), " +
            "other");
        for (final org.nvmeof4j.tcp.tls.TlsFailure f : org.nvmeof4j.tcp.tls.TlsFailure.values())
        {
            p.sample(tls, target.tlsFailures(f), "reason", f.label());
        }
        final String auth = "nvmeof4j_target_authentications_total";
        p.family(auth, COUNTER, "DH-HMAC-CHAP transactions on the target's queues, by result (success, failure)");
        p.sample(auth, target.authenticationsSucceeded(), "result", "success");
        p.sample(auth, target.authenticationsFailed(), "result", "failure");

        p.family("nvmeof4j_target_poller_tasks", GAUGE, "Connections and listeners a target poller thread drives");
        p.family("nvmeof4j_target_poller_command_errors_total", COUNTER, "Commands handed to a poller thread that " +
            "threw (the poller carried on)");
        for (final Poller poller : target.pollers())
        {
            p.sample("nvmeof4j_target_poller_tasks", poller.taskCount(), "poller", poller.name());
            p.sample("nvmeof4j_target_poller_command_errors_total", poller.commandErrors(), "poller", poller.name());
        }

        p.family("nvmeof4j_target_subsystem_namespaces", GAUGE, "Active namespaces of a subsystem");
        p.family("nvmeof4j_target_subsystem_controllers", GAUGE, "Live controllers (host associations) of a " +
            "subsystem");
        p.family("nvmeof4j_target_namespace_size_bytes", GAUGE, "Namespace capacity in bytes");
        p.family("nvmeof4j_target_namespace_block_size_bytes", GAUGE, "Namespace logical block size in bytes");
        p.family("nvmeof4j_target_namespace_commands_total", COUNTER, "I/O commands a namespace completed " +
            "successfully, by op (read, write, flush, other: compare, write zeroes, dataset management)");
        p.family("nvmeof4j_target_namespace_errors_total", COUNTER, "I/O commands for a namespace that completed " +
            "with an error status");
        p.family("nvmeof4j_target_namespace_read_bytes_total", COUNTER, "Data bytes sent to hosts by a " +
            "namespace's successful reads");
        p.family("nvmeof4j_target_namespace_written_bytes_total", COUNTER, "Data bytes stored by a namespace's " +
            "successful writes");
        for (final Subsystem s : target.subsystems())
        {
            if (s.isDiscovery())
            {
                continue;
            }
            final String nqn = s.nqn();
            int live = 0;
            for (final Controller c : target.controllers())
            {
                live += c.subsystem() == s && !c.isDead() ? 1 : 0;
            }
            p.sample("nvmeof4j_target_subsystem_controllers", live, "subsystem", nqn);
            p.sample("nvmeof4j_target_subsystem_namespaces", s.namespaces().size(), "subsystem", nqn);
            for (final Namespace n : s.namespaces())
            {
                final String nsid = Integer.toUnsignedString(n.nsid());
                final NamespaceCounters c = n.counters();
                p.sample("nvmeof4j_target_namespace_size_bytes", (double)(n.blocks() << n.blockShift()),
                    "subsystem", nqn, "nsid", nsid);
                p.sample("nvmeof4j_target_namespace_block_size_bytes", n.blockSize(), "subsystem", nqn, "nsid", nsid);
                op(p, nqn, nsid, "read", c.reads());
                op(p, nqn, nsid, "write", c.writes());
                op(p, nqn, nsid, "flush", c.flushes());
                op(p, nqn, nsid, "other", c.others());
                p.sample("nvmeof4j_target_namespace_errors_total", c.errors(), "subsystem", nqn, "nsid", nsid);
                p.sample("nvmeof4j_target_namespace_read_bytes_total", c.bytesRead(), "subsystem", nqn, "nsid", nsid);
                p.sample("nvmeof4j_target_namespace_written_bytes_total", c.bytesWritten(), "subsystem", nqn, "nsid",
                    nsid);
            }
        }

        offloadNamespaces(target, p);

        p.family("nvmeof4j_target_queue_commands_total", COUNTER, "Commands a queue received (admin queue: qid 0)");
        p.family("nvmeof4j_target_queue_errors_total", COUNTER, "Completions a queue returned with an error status");
        p.family("nvmeof4j_target_queue_reads_total", COUNTER, "Reads an I/O queue completed successfully");
        p.family("nvmeof4j_target_queue_writes_total", COUNTER, "Writes an I/O queue completed successfully");
        p.family("nvmeof4j_target_queue_read_bytes_total", COUNTER, "Data bytes an I/O queue sent for reads");
        p.family("nvmeof4j_target_queue_written_bytes_total", COUNTER, "Data bytes an I/O queue stored for writes");
        for (final Controller c : target.controllers())
        {
            if (c.isDead() || c.isDiscovery())
            {
                continue;
            }
            final String nqn = c.subsystem().nqn();
            final String cntlid = Integer.toString(c.cntlid());
            final TargetQueue admin = c.adminQueue();
            if (admin != null)
            {
                queue(p, nqn, cntlid, admin, false);
            }
            for (final TargetQueue q : c.ioQueues())
            {
                queue(p, nqn, cntlid, q, true);
            }
        }
    }

    /**
     * The namespaces a target offload device (seed 004) serves, per subsystem and front-end NSID: what the device
     * did (the software target's namespace counters do not see these commands) and its latency histogram, from
     * the command's arrival at the device to its completion being queued.
     */
    private static void offloadNamespaces(final Target target, final PrometheusText p)
    {
        final String ops = "nvmeof4j_target_offload_commands_total";
        p.family(ops, COUNTER, "Commands a target offload device served for a mapped namespace, by op (read, " +
            "write, flush)");
        p.family("nvmeof4j_target_offload_errors_total", COUNTER, "Commands for a mapped namespace that the offload " +
            "device completed with an error status");
        p.family("nvmeof4j_target_offload_read_bytes_total", COUNTER, "Data bytes a mapped namespace's reads sent");
        p.family("nvmeof4j_target_offload_written_bytes_total", COUNTER, "Data bytes a mapped namespace's writes " +
            "stored");
        p.family("nvmeof4j_target_offload_latency_seconds", HISTOGRAM, "Latency of the commands an offload device " +
            "served for a mapped namespace, in power-of-two buckets");
        for (final Subsystem s : target.subsystems())
        {
            if (!(s.offload() instanceof OffloadContext))
            {
                continue;
            }
            final OffloadContext ctx = (OffloadContext)s.offload();
            final String device = ctx.device().name();
            for (final NamespaceMapping m : ctx.mappings())
            {
                final OffloadNamespaceStats st = m.stats();
                final String nsid = Integer.toUnsignedString(m.feNsid());
                final String[] labels = {"subsystem", s.nqn(), "nsid", nsid, "device", device};
                // the sum before the buckets, as a record adds them in the other order
                final long sum = st.latency().sumNanos();
                p.histogram("nvmeof4j_target_offload_latency_seconds", st.latency().snapshot(), sum, labels);
                p.sample(ops, st.getReads(), with(labels, "op", "read"));
                p.sample(ops, st.getWrites(), with(labels, "op", "write"));
                p.sample(ops, st.getFlushes(), with(labels, "op", "flush"));
                p.sample("nvmeof4j_target_offload_errors_total", st.getErrors(), labels);
                p.sample("nvmeof4j_target_offload_read_bytes_total", st.getBytesRead(), labels);
                p.sample("nvmeof4j_target_offload_written_bytes_total", st.getBytesWritten(), labels);
            }
        }
    }

    private static String[] with(final String[] labels, final String name, final String value)
    {
        final String[] l = java.util.Arrays.copyOf(labels, labels.length + 2);
        l[labels.length] = name;
        l[labels.length + 1] = value;
        return l;
    }

    private static void op(final PrometheusText p, final String nqn, final String nsid, final String op,
        final long value)
    {
        p.sample("nvmeof4j_target_namespace_commands_total", value, "subsystem", nqn, "nsid", nsid, "op", op);
    }

    private static void queue(final PrometheusText p, final String nqn, final String cntlid, final TargetQueue q,
        final boolean io)
    {
        final String qid = Integer.toString(Math.max(q.qid(), 0));
        p.sample("nvmeof4j_target_queue_commands_total", q.commandsReceived(), "subsystem", nqn, "cntlid", cntlid,
            "qid", qid);
        p.sample("nvmeof4j_target_queue_errors_total", q.errorsReturned(), "subsystem", nqn, "cntlid", cntlid,
            "qid", qid);
        if (io)
        {
            p.sample("nvmeof4j_target_queue_reads_total", q.readsCompleted(), "subsystem", nqn, "cntlid", cntlid,
                "qid", qid);
            p.sample("nvmeof4j_target_queue_writes_total", q.writesCompleted(), "subsystem", nqn, "cntlid", cntlid,
                "qid", qid);
            p.sample("nvmeof4j_target_queue_read_bytes_total", q.bytesRead(), "subsystem", nqn, "cntlid", cntlid,
                "qid", qid);
            p.sample("nvmeof4j_target_queue_written_bytes_total", q.bytesWritten(), "subsystem", nqn, "cntlid",
                cntlid, "qid", qid);
        }
    }

    /**
     * Every registered ULP DDP device's statistics, under the documentation's names: {@code rx_nvme_tcp_sk_add}
     * becomes {@code nvmeof4j_ddp_rx_nvme_tcp_sk_add_total{device="soft"}}; {@code rx_nvme_tcp_bytes} is already in
     * bytes and keeps its name.
     */
    public static void ddp(final UlpDdpRegistry registry, final PrometheusText p)
    {
        for (final String name : UlpDdpStats.NAMES)
        {
            p.family(ddpName(name), COUNTER, "ULP DDP statistic " + name + " of a device (NVMe/TCP receive offload)");
        }
        for (final UlpDdpDevice d : registry.devices())
        {
            final UlpDdpStats s = d.getStats();
            for (final String name : UlpDdpStats.NAMES)
            {
                p.sample(ddpName(name), s.get(name), "device", d.name());
            }
        }
    }

    static String ddpName(final String statistic)
    {
        return "nvmeof4j_ddp_" + statistic.toLowerCase(Locale.ROOT) + "_total";
    }

    /** Every registered tcp_offload device's counters under the offload ULP's names ({@code nvme_tcp_ofld_*}). */
    public static void offload(final PrometheusText p)
    {
        for (final String name : NvmeTcpOfldStats.NAMES)
        {
            p.family(offloadName(name), COUNTER, "NVMe/TCP offload ULP statistic " + name + " of a device");
        }
        for (final NvmeTcpOfldDev d : NvmeTcpOffload.devices())
        {
            final NvmeTcpOfldStats s = d.stats();
            for (final String name : NvmeTcpOfldStats.NAMES)
            {
                p.sample(offloadName(name), s.get(name), "device", d.name());
            }
        }
    }

    static String offloadName(final String statistic)
    {
        return "nvmeof4j_offload_" + statistic.toLowerCase(Locale.ROOT) + "_total";
    }
}
