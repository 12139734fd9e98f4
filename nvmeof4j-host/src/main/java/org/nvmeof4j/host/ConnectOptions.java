package org.nvmeof4j.host;

import java.time.Duration;
import java.util.Locale;
import java.util.UUID;
import org.nvmeof4j.host.tcp.ReadOffload;
import org.nvmeof4j.protocol.fabrics.Nqn;
import org.nvmeof4j.tcp.IdleStrategy;

/**
 * How to connect to a controller: the options of {@code nvme connect} (and of the Linux host's
 * {@code /dev/nvme-fabrics} string) with the same names and defaults, plus a few the library needs.
 *
 * <table>
 *   <caption>options</caption>
 *   <tr><th>nvme connect</th><th>here</th><th>default</th></tr>
 *   <tr><td>transport</td><td>{@link #transport}</td><td>tcp</td></tr>
 *   <tr><td>traddr, trsvcid</td><td>{@link #traddr}, {@link #trsvcid}</td><td>-, 4420</td></tr>
 *   <tr><td>nqn</td><td>{@link #nqn}</td><td>-</td></tr>
 *   <tr><td>nr_io_queues</td><td>{@link #nrIoQueues}</td><td>online CPUs (poller-driven queues of the async API)</td></tr>
 *   <tr><td>nr_poll_queues</td><td>{@link #nrPollQueues}</td><td>0 (queues handed to application threads,
 *       {@link NvmeController#openIoQueue()})</td></tr>
 *   <tr><td>queue_size</td><td>{@link #queueSize}</td><td>128 (16..1024)</td></tr>
 *   <tr><td>hdr_digest, data_digest</td><td>{@link #hdrDigest}, {@link #dataDigest}</td><td>off</td></tr>
 *   <tr><td>keep_alive_tmo</td><td>{@link #keepAliveTmo}</td><td>5 s (0 = off)</td></tr>
 *   <tr><td>reconnect_delay</td><td>{@link #reconnectDelay}</td><td>10 s</td></tr>
 *   <tr><td>ctrl_loss_tmo</td><td>{@link #ctrlLossTmo}</td><td>600 s (negative = forever)</td></tr>
 *   <tr><td>hostnqn, hostid</td><td>{@link #hostnqn}, {@link #hostid}</td><td>{@link HostNqn#defaultIdentity()}</td></tr>
 *   <tr><td>disable_sqflow</td><td>{@link #disableSqflow}</td><td>off</td></tr>
 *   <tr><td>offload_dev</td><td>{@link #offloadDev}</td><td>the device that claims the address
 *       ({@code tcp_offload} only)</td></tr>
 * </table>
 *
 * <p>{@code transport} names the host transport ({@code tcp} by default), found in
 * {@link org.nvmeof4j.host.spi.NvmeTransports}; it checks the options it needs before anything connects.
 *
 * <p>A mutable builder; {@link NvmeController#connect} takes a copy.
 */
public final class ConnectOptions implements Cloneable
{
    /** The IANA-assigned NVMe/TCP I/O port. */
    public static final int DEFAULT_PORT = 4420;
    /** The well-known NVMe/TCP discovery port. */
    public static final int DISCOVERY_PORT = 8009;

    private String transport = "tcp";
    private String traddr;
    private int trsvcid = DEFAULT_PORT;
    private String nqn;
    private String hostnqn;
    private UUID hostid;
    private int nrIoQueues = Runtime.getRuntime().availableProcessors();
    private int nrPollQueues;
    private int queueSize = 128;
    private boolean hdrDigest;
    private boolean dataDigest;
    private boolean tls;
    private org.nvmeof4j.tcp.tls.ConfiguredPsk tlsKey;
    private int tlsIdentityVersion;
    private boolean tlsCompat;
    private Duration keepAliveTmo = Duration.ofSeconds(5);
    private Duration reconnectDelay = Duration.ofSeconds(10);
    private Duration ctrlLossTmo = Duration.ofSeconds(600);
    private boolean disableSqflow;
    private boolean persistent;
    private boolean failoverIo;
    private Duration ioTimeout = Duration.ofSeconds(30);
    private Duration adminTimeout = Duration.ofSeconds(60);
    private Duration connectTimeout = Duration.ofSeconds(10);
    private NanoClock clock = NanoClock.SYSTEM;
    private IdleStrategy idleStrategy;
    private ReadOffload.Factory readOffload;
    private String offloadDev;
    private org.nvmeof4j.protocol.auth.DhchapSecret dhchapSecret;
    private org.nvmeof4j.protocol.auth.DhchapSecret dhchapCtrlSecret;

    public static ConnectOptions tcp(final String traddr, final int trsvcid, final String nqn)
    {
        return new ConnectOptions().traddr(traddr).trsvcid(trsvcid).nqn(nqn);
    }

    /**
     * Text from the options string as an error message may show it: one line, control characters as {@code \\uXXXX},
     * at most 64 characters (then "...").
     */
    static String printable(final String text)
    {
        if (text == null)
        {
            return "(no value)";
        }
        final StringBuilder b = new StringBuilder(72);
        int i = 0;
        for (; i < text.length() && b.length() < 64; i++)
        {
            final char c = text.charAt(i);
            final int type = Character.getType(c);
            if (Character.isISOControl(c) || type == Character.FORMAT || type == Character.LINE_SEPARATOR ||
                type == Character.PARAGRAPH_SEPARATOR)
            {
                b.append(String.format("\\u%04x", (int)c));
            }
            else
            {
                b.append(c);
            }
        }
        return i < text.length() ? b + "..." : b.toString();
    }

    /**
     * Parse an options string as written to Linux's {@code /dev/nvme-fabrics}:
     * {@code transport=tcp,traddr=10.0.0.1,trsvcid=4420,nqn=NQN,nr_io_queues=2,hdr_digest,data_digest}.
     *
     * @throws IllegalArgumentException for an unknown option or a bad value.
     */
    public static ConnectOptions parse(final String options)
    {
        final ConnectOptions o = new ConnectOptions();
        for (final String item : options.split(","))
        {
            final String it = item.trim();
            if (it.isEmpty())
            {
                continue;
            }
            final int eq = it.indexOf('=');
            final String key = (eq < 0 ? it : it.substring(0, eq)).toLowerCase(Locale.ROOT);
            final String value = eq < 0 ? null : it.substring(eq + 1);
            try
            {
                switch (key)
                {
                    case "transport": o.transport(value); break;
                    case "traddr": o.traddr(value); break;
                    case "trsvcid": o.trsvcid(Integer.parseInt(value)); break;
                    case "nqn": o.nqn(value); break;
                    case "hostnqn": o.hostnqn(value); break;
                    case "hostid": o.hostid(UUID.fromString(value)); break;
                    case "nr_io_queues": o.nrIoQueues(Integer.parseInt(value)); break;
                    case "nr_poll_queues": o.nrPollQueues(Integer.parseInt(value)); break;
                    case "queue_size": o.queueSize(Integer.parseInt(value)); break;
                    case "hdr_digest": o.hdrDigest(value == null || Boolean.parseBoolean(value)); break;
                    case "data_digest": o.dataDigest(value == null || Boolean.parseBoolean(value)); break;
                    case "tls": o.tls(value == null || Boolean.parseBoolean(value)); break;
                    case "keep_alive_tmo": o.keepAliveTmo(Duration.ofSeconds(Long.parseLong(value))); break;
                    case "reconnect_delay": o.reconnectDelay(Duration.ofSeconds(Long.parseLong(value))); break;
                    case "ctrl_loss_tmo": o.ctrlLossTmo(Duration.ofSeconds(Long.parseLong(value))); break;
                    case "disable_sqflow": o.disableSqflow(value == null || Boolean.parseBoolean(value)); break;
                    case "offload_dev": o.offloadDev(value); break;
                    case "dhchap_secret": o.dhchapSecret(secret(value)); break;
                    case "dhchap_ctrl_secret": o.dhchapCtrlSecret(secret(value)); break;
                    default: throw new IllegalArgumentException("unknown option '" + printable(key) + "'");
                }
            }
            catch (final NullPointerException | NumberFormatException e)
            {
                throw new IllegalArgumentException("bad value for " + printable(key) + ": " + printable(value));
            }
        }
        return o;
    }

    private static org.nvmeof4j.protocol.auth.DhchapSecret secret(final String value)
    {
        if (value == null)
        {
            throw new NullPointerException();
        }
        // the parser's message never repeats the secret, so it may go into ours
        return org.nvmeof4j.protocol.auth.DhchapSecret.parse(value);
    }

    /** @return a copy. */
    public ConnectOptions copy()
    {
        try
        {
            return (ConnectOptions)clone();
        }
        catch (final CloneNotSupportedException e)
        {
            throw new AssertionError(e);
        }
    }

    /** Check the combination; fills in the default host identity. */
    ConnectOptions validated()
    {
        if (transport == null || transport.isEmpty())
        {
            throw new IllegalArgumentException("transport is required");
        }
        if (traddr == null || traddr.isEmpty())
        {
            throw new IllegalArgumentException("traddr is required");
        }
        if (nqn == null || nqn.isEmpty())
        {
            throw new IllegalArgumentException("nqn is required");
        }
        if (queueSize < 16 || queueSize > 1024)
        {
            throw new IllegalArgumentException("queue_size not in 16..1024: " + queueSize);
        }
        if (nrIoQueues < 0 || nrPollQueues < 0 || nrIoQueues + nrPollQueues > 65535)
        {
            throw new IllegalArgumentException("bad number of I/O queues: " + nrIoQueues + " + " + nrPollQueues);
        }
        if (dhchapCtrlSecret != null && dhchapSecret == null)
        {
            throw new IllegalArgumentException("dhchap_ctrl_secret needs dhchap_secret");
        }
        final ConnectOptions o = copy();
        if (o.hostnqn == null || o.hostid == null)
        {
            final HostNqn id = HostNqn.defaultIdentity();
            if (o.hostnqn == null)
            {
                o.hostnqn = id.hostnqn();
            }
            if (o.hostid == null)
            {
                o.hostid = id.hostid();
            }
        }
        if (o.idleStrategy == null)
        {
            o.idleStrategy = IdleStrategy.defaultStrategy();
        }
        return o;
    }

    public boolean isDiscovery()
    {
        return Nqn.DISCOVERY.equals(nqn);
    }

    public String transport() { return transport; }
    public ConnectOptions transport(final String v) { transport = v; return this; }
    public String traddr() { return traddr; }
    public ConnectOptions traddr(final String v) { traddr = v; return this; }
    public int trsvcid() { return trsvcid; }
    public ConnectOptions trsvcid(final int v) { trsvcid = v; return this; }
    public String nqn() { return nqn; }
    public ConnectOptions nqn(final String v) { nqn = v; return this; }
    public String hostnqn() { return hostnqn; }
    public ConnectOptions hostnqn(final String v) { hostnqn = v; return this; }
    public UUID hostid() { return hostid; }
    public ConnectOptions hostid(final UUID v) { hostid = v; return this; }
    public int nrIoQueues() { return nrIoQueues; }
    public ConnectOptions nrIoQueues(final int v) { nrIoQueues = v; return this; }
    public int nrPollQueues() { return nrPollQueues; }
    public ConnectOptions nrPollQueues(final int v) { nrPollQueues = v; return this; }
    public int queueSize() { return queueSize; }
    public ConnectOptions queueSize(final int v) { queueSize = v; return this; }
    public boolean hdrDigest() { return hdrDigest; }
    public ConnectOptions hdrDigest(final boolean v) { hdrDigest = v; return this; }
    public boolean dataDigest() { return dataDigest; }
    public ConnectOptions dataDigest(final boolean v) { dataDigest = v; return this; }
    /** @return whether the tcp transport runs TLS 1.3 with a PSK (nvme-cli {@code --tls}). */
    public boolean tls() { return tls; }
    public ConnectOptions tls(final boolean v) { tls = v; return this; }
    /** @return the configured PSK (nvme-cli {@code --tls-key}, interchange format); setting one implies tls. */
    public org.nvmeof4j.tcp.tls.ConfiguredPsk tlsKey() { return tlsKey; }
    public ConnectOptions tlsKey(final org.nvmeof4j.tcp.tls.ConfiguredPsk v) { tlsKey = v; tls |= v != null; return this; }
    /** @return the PSK identity version offered: 0 ({@code NVMe0R0x}, what Linux 6.12 looks up) or 1. */
    public int tlsIdentityVersion() { return tlsIdentityVersion; }
    public ConnectOptions tlsIdentityVersion(final int v) { tlsIdentityVersion = v; return this; }
    /** @return whether the TLS PSK is derived as libnvme 1.x does (see {@link #tlsCompat(boolean)}). */
    public boolean tlsCompat() { return tlsCompat; }
    /**
     * Derive the TLS PSK from the configured key as libnvme 1.x (nvme-cli 2.x, e.g. Debian 13's libnvme 1.13) does,
     * with its non-RFC 8446 HkdfLabel: what a Linux target's keyring holds after {@code nvme check-tls-key --insert}
     * there. Default false: the spec's derivation (nvme-cli 3's default; its {@code --compat} is this one). A
     * SHA-384 key's handshake is then also as Debian 13's tlshd (GnuTLS 3.8.9) does it: binder with HMAC-SHA256,
     * SHA-256 suites ({@link org.nvmeof4j.tcp.tls.TlsPsk#withSha256Binder}).
     */
    public ConnectOptions tlsCompat(final boolean v) { tlsCompat = v; return this; }
    public Duration keepAliveTmo() { return keepAliveTmo; }
    public ConnectOptions keepAliveTmo(final Duration v) { keepAliveTmo = v; return this; }
    public Duration reconnectDelay() { return reconnectDelay; }
    public ConnectOptions reconnectDelay(final Duration v) { reconnectDelay = v; return this; }
    /** Negative: reconnect forever. */
    public Duration ctrlLossTmo() { return ctrlLossTmo; }
    public ConnectOptions ctrlLossTmo(final Duration v) { ctrlLossTmo = v; return this; }
    /**
     * A persistent discovery controller ({@code nvme discover --persistent}): it stays connected with keep-alive,
     * and the host asks for Discovery Log Page Change notices (see {@link NvmeController#addAsyncEventListener}).
     * Only for the discovery NQN; I/O controllers always keep alive and always take notices.
     */
    public boolean persistent() { return persistent; }
    /**
     * I/O in flight when a connection goes completes at once with Host Pathing Error (a path status, SCT 3h) instead
     * of waiting in its queue for the reconnect, so that a multipath layer resends it on another path, as Linux
     * fails over the requests of a multipath namespace when a controller resets. Default off (a single path keeps
     * them and resends them after the reconnect).
     */
    public ConnectOptions failoverIo(final boolean v) { failoverIo = v; return this; }
    public boolean failoverIo() { return failoverIo; }
    public ConnectOptions persistent(final boolean v) { persistent = v; return this; }
    /** Keep-alive and asynchronous events on this association (I/O controller or persistent discovery). */
    boolean keepsAlive() { return !isDiscovery() || persistent; }
    public boolean disableSqflow() { return disableSqflow; }
    public ConnectOptions disableSqflow(final boolean v) { disableSqflow = v; return this; }
    /** Per-command timeout on I/O queues (Linux {@code io_timeout}, 30 s); expiry starts error recovery. */
    public Duration ioTimeout() { return ioTimeout; }
    public ConnectOptions ioTimeout(final Duration v) { ioTimeout = v; return this; }
    /** Per-command timeout on the admin queue (Linux {@code admin_timeout}, 60 s). */
    public Duration adminTimeout() { return adminTimeout; }
    public ConnectOptions adminTimeout(final Duration v) { adminTimeout = v; return this; }
    /** TCP connect + ICReq/ICResp + Fabrics Connect of one queue. */
    public Duration connectTimeout() { return connectTimeout; }
    public ConnectOptions connectTimeout(final Duration v) { connectTimeout = v; return this; }
    public NanoClock clock() { return clock; }
    public ConnectOptions clock(final NanoClock v) { clock = v; return this; }
    /** Idle strategy of the poller threads behind the async API (default: spin briefly, then block). */
    public IdleStrategy idleStrategy() { return idleStrategy; }
    public ConnectOptions idleStrategy(final IdleStrategy v) { idleStrategy = v; return this; }
    /** Receive offload (DDP) for I/O queues; null for none. */
    public ReadOffload.Factory readOffload() { return readOffload; }
    public ConnectOptions readOffload(final ReadOffload.Factory v) { readOffload = v; return this; }

    /**
     * {@code transport=tcp_offload}: the offload device to use, by name (null: the first registered device whose
     * {@code claimDev} accepts the address).
     */
    public String offloadDev() { return offloadDev; }

    /**
     * The host's DH-HMAC-CHAP secret (nvme-cli {@code --dhchap-secret}, Linux {@code dhchap_secret}): the host
     * authenticates every queue with it when the controller asks (Connect AUTHREQ.ATR). Null: none.
     */
    public org.nvmeof4j.protocol.auth.DhchapSecret dhchapSecret() { return dhchapSecret; }
    public ConnectOptions dhchapSecret(final org.nvmeof4j.protocol.auth.DhchapSecret v) { dhchapSecret = v; return this; }

    /**
     * The controller's DH-HMAC-CHAP secret (nvme-cli {@code --dhchap-ctrl-secret}, Linux {@code dhchap_ctrl_secret})
     * for bidirectional authentication: the controller must prove it too, and a controller that does not ask for
     * authentication at all is refused. Null: unidirectional.
     */
    public org.nvmeof4j.protocol.auth.DhchapSecret dhchapCtrlSecret() { return dhchapCtrlSecret; }
    public ConnectOptions dhchapCtrlSecret(final org.nvmeof4j.protocol.auth.DhchapSecret v)
    {
        dhchapCtrlSecret = v;
        return this;
    }
    public ConnectOptions offloadDev(final String v) { offloadDev = v; return this; }

    /**
     * @return the connect-string keys of the options that differ from their defaults, which is what a transport
     *         checks against the options it allows (Linux's {@code opts->mask} against {@code allowed_opts}); the
     *         library-only options (timeouts other than the three above, clock, idle strategy) are not keys.
     */
    public java.util.SortedSet<String> usedKeys()
    {
        final ConnectOptions d = new ConnectOptions();
        final java.util.SortedSet<String> k = new java.util.TreeSet<>();
        k.add("transport");
        addIf(k, "traddr", traddr != null);
        addIf(k, "trsvcid", trsvcid != d.trsvcid);
        addIf(k, "nqn", nqn != null);
        addIf(k, "hostnqn", hostnqn != null);
        addIf(k, "hostid", hostid != null);
        addIf(k, "nr_io_queues", nrIoQueues != d.nrIoQueues);
        addIf(k, "nr_poll_queues", nrPollQueues != d.nrPollQueues);
        addIf(k, "queue_size", queueSize != d.queueSize);
        addIf(k, "hdr_digest", hdrDigest);
        addIf(k, "data_digest", dataDigest);
        addIf(k, "tls", tls);
        addIf(k, "keep_alive_tmo", !keepAliveTmo.equals(d.keepAliveTmo));
        addIf(k, "reconnect_delay", !reconnectDelay.equals(d.reconnectDelay));
        addIf(k, "ctrl_loss_tmo", !ctrlLossTmo.equals(d.ctrlLossTmo));
        addIf(k, "disable_sqflow", disableSqflow);
        addIf(k, "offload_dev", offloadDev != null);
        addIf(k, "dhchap_secret", dhchapSecret != null);
        addIf(k, "dhchap_ctrl_secret", dhchapCtrlSecret != null);
        return k;
    }

    private static void addIf(final java.util.Set<String> keys, final String key, final boolean used)
    {
        if (used)
        {
            keys.add(key);
        }
    }

    @Override
    public String toString()
    {
        return "transport=" + transport + ",traddr=" + traddr + ",trsvcid=" + trsvcid + ",nqn=" + nqn +
            ",nr_io_queues=" + nrIoQueues + ",nr_poll_queues=" + nrPollQueues + ",queue_size=" + queueSize +
            (hdrDigest ? ",hdr_digest" : "") + (dataDigest ? ",data_digest" : "") + (tls ? ",tls" : "") +
            ",keep_alive_tmo=" + keepAliveTmo.toSeconds() + ",reconnect_delay=" + reconnectDelay.toSeconds() +
            ",ctrl_loss_tmo=" + ctrlLossTmo.toSeconds() + (disableSqflow ? ",disable_sqflow" : "") +
            (offloadDev != null ? ",offload_dev=" + offloadDev : "") +
            (dhchapSecret != null ? ",dhchap_secret=<redacted>" : "") +
            (dhchapCtrlSecret != null ? ",dhchap_ctrl_secret=<redacted>" : "");
    }
}
