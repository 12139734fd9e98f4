package org.nvmeof4j.target;

/**
 * What protects the target from hosts that hold connections without using them: a bound on live connections per
 * port and per remote address, and the longest a connection may stay between TCP accept and ICReq, and between
 * ICReq and Fabrics Connect. A slow or silent peer is dropped when its time is up, and a connection over a bound is
 * closed right after accept; each is counted ({@link Target#limitCounters()}). Linux nvmet bounds neither; these
 * defaults are far above what honest hosts use (Linux opens 1 + nr_io_queues connections per controller and sends
 * ICReq and Connect at once).
 *
 * @param maxConnectionsPerPort    live connections one port (listener) holds; more are closed at accept.
 * @param maxConnectionsPerAddress live connections from one remote IP address over all ports.
 * @param icReqTimeoutMillis       accept to ICReq; 0: no limit.
 * @param connectTimeoutMillis     ICResp to the queue's Fabrics Connect; 0: no limit.
 */
public record ConnectionLimits(int maxConnectionsPerPort, int maxConnectionsPerAddress, long icReqTimeoutMillis,
    long connectTimeoutMillis)
{
    /** The defaults: 4096 connections a port, 1024 an address, 10 s to ICReq, 10 s to Connect. */
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
    }
}
