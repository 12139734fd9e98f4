package org.nvmeof4j.target;

/**
 * What protects the target from hosts that hold connections or memory without using them: a bound on live
 * connections per port, per remote address (counted at accept) and per host NQN (counted at Fabrics Connect), the
 * longest a connection may stay between TCP accept and ICReq, and between ICReq and Fabrics Connect, and the staging
 * memory one connection may hold. A slow or silent peer is dropped when its time is up, a connection over a port or
 * address bound is closed right after accept, a Connect over the host bound fails with Connect Controller Busy, and a
 * command whose staging would pass the connection's budget waits (its R2T is not sent) until staging frees; each is
 * counted ({@link Target#limitCounters()}). Linux nvmet bounds none of these; the defaults are far above what honest
 * hosts use (Linux opens 1 + nr_io_queues connections per controller and sends ICReq and Connect at once).
 *
 * <p>Staging: without a data digest a write to a memory-mapped namespace lands in place; otherwise its data, and a
 * read's data on a file backend, pass through a per-command buffer. The budget is counted in units of MAXH2CDATA
 * (the largest H2CData PDU the target announces in ICResp): a connection holds at most
 * {@code stagingPerConnection × MAXH2CDATA} bytes of R2T and read staging whatever queue size and transfer lengths
 * its host asks for (plus the in-capsule data, at most SQSIZE × the in-capsule size, which the ICResp bounds).
 *
 * @param maxConnectionsPerPort    live connections one port (listener) holds; more are closed at accept.
 * @param maxConnectionsPerAddress live connections from one remote IP address over all ports.
 * @param icReqTimeoutMillis       accept to ICReq; 0: no limit.
 * @param connectTimeoutMillis     ICResp to the queue's Fabrics Connect; 0: no limit.
 * @param maxConnectionsPerHost    connected queues (admin and I/O) of one host NQN over all subsystems and ports.
 * @param stagingPerConnection     staging memory of one connection, in MAXH2CDATA units; the product must hold one
 *                                 command of the largest transfer size (checked when the target is built).
 */
public record ConnectionLimits(int maxConnectionsPerPort, int maxConnectionsPerAddress, long icReqTimeoutMillis,
    long connectTimeoutMillis, int maxConnectionsPerHost, int stagingPerConnection)
{
    /** Default connected queues per host NQN. */
    public static final int DEFAULT_MAX_CONNECTIONS_PER_HOST = 1024;
    /** Default staging per connection, in MAXH2CDATA units (16 × 128 KiB = 2 MiB). */
    public static final int DEFAULT_STAGING_PER_CONNECTION = 16;

    /**
     * The defaults: 4096 connections a port, 1024 an address, 1024 a host NQN, 10 s to ICReq, 10 s to Connect,
     * 16 × MAXH2CDATA of staging a connection.
     */
    public static final ConnectionLimits DEFAULT = new ConnectionLimits(4096, 1024, 10_000, 10_000);

    /** Checks every bound. */
    public ConnectionLimits
    {
        if (maxConnectionsPerPort < 1 || maxConnectionsPerPort > 1_000_000)
        {
            throw new IllegalArgumentException("max connections per port must be 1..1000000: " +
                maxConnectionsPerPort);
        }
        if (maxConnectionsPerAddress < 1 || maxConnectionsPerAddress > 1_000_000)
        {
            throw new IllegalArgumentException("max connections per address must be 1..1000000: " +
                maxConnectionsPerAddress);
        }
        if (icReqTimeoutMillis < 0 || icReqTimeoutMillis > 3_600_000)
        {
            throw new IllegalArgumentException("ICReq timeout must be 0..3600000 ms: " + icReqTimeoutMillis);
        }
        if (connectTimeoutMillis < 0 || connectTimeoutMillis > 3_600_000)
        {
            throw new IllegalArgumentException("Connect timeout must be 0..3600000 ms: " + connectTimeoutMillis);
        }
        if (maxConnectionsPerHost < 1 || maxConnectionsPerHost > 1_000_000)
        {
            throw new IllegalArgumentException("max connections per host must be 1..1000000: " +
                maxConnectionsPerHost);
        }
        if (stagingPerConnection < 1 || stagingPerConnection > 4096)
        {
            throw new IllegalArgumentException("staging per connection must be 1..4096 (MAXH2CDATA units): " +
                stagingPerConnection);
        }
    }

    /** The four accept-time bounds, with the default per-host and staging bounds. */
    public ConnectionLimits(final int maxConnectionsPerPort, final int maxConnectionsPerAddress,
        final long icReqTimeoutMillis, final long connectTimeoutMillis)
    {
        this(maxConnectionsPerPort, maxConnectionsPerAddress, icReqTimeoutMillis, connectTimeoutMillis,
            DEFAULT_MAX_CONNECTIONS_PER_HOST, DEFAULT_STAGING_PER_CONNECTION);
    }

    /** @return a copy with another per-host bound. */
    public ConnectionLimits withMaxConnectionsPerHost(final int n)
    {
        return new ConnectionLimits(maxConnectionsPerPort, maxConnectionsPerAddress, icReqTimeoutMillis,
            connectTimeoutMillis, n, stagingPerConnection);
    }

    /** @return a copy with another staging budget (MAXH2CDATA units). */
    public ConnectionLimits withStagingPerConnection(final int units)
    {
        return new ConnectionLimits(maxConnectionsPerPort, maxConnectionsPerAddress, icReqTimeoutMillis,
            connectTimeoutMillis, maxConnectionsPerHost, units);
    }
}
