package org.nvmeof4j.host;

import java.nio.ByteBuffer;
import java.security.SecureRandom;

import org.nvmeof4j.protocol.auth.DhchapException;
import org.nvmeof4j.protocol.auth.DhchapHost;
import org.nvmeof4j.protocol.nvme.LittleEndian;
import org.nvmeof4j.protocol.nvme.Opcodes;

/**
 * Runs one host-side DH-HMAC-CHAP transaction over whatever moves Authentication Send/Receive commands: the setup
 * runner of a fresh queue, or the admin queue of a live controller for a re-authentication.
 */
final class DhchapAuthenticator
{
    /** Moves one message: Authentication Send of {@code length} bytes, or Receive with AL {@code length}. */
    interface Exchange
    {
        void transfer(int fctype, ByteBuffer buffer, int length);
    }

    private static final SecureRandom RANDOM = new SecureRandom();

    private final ConnectOptions options;
    private final int qid;
    private final int tid;
    private final String where;

    DhchapAuthenticator(final ConnectOptions options, final int qid, final int tid, final String where)
    {
        this.options = options;
        this.qid = qid;
        this.tid = tid;
        this.where = where;
    }

    /**
     * @throws NvmeAuthenticationException when the transaction fails (after an AUTH_Failure2 for a fault found here)
     */
    void run(final Exchange x)
    {
        final DhchapHost h = new DhchapHost(options.dhchapSecret(), options.dhchapCtrlSecret(), options.hostnqn(),
            options.nqn(), tid, RANDOM, null, null);
        final ByteBuffer out = ByteBuffer.allocateDirect(DhchapHost.MAX_SEND);
        final ByteBuffer in = ByteBuffer.allocateDirect(DhchapHost.MAX_RECEIVE);
        x.transfer(Opcodes.FCTYPE_AUTHENTICATION_SEND, out, h.negotiate(out));
        int n;
        receive(x, in);
        try
        {
            n = h.reply(in, in.capacity(), out);
        }
        catch (final DhchapException e)
        {
            throw failed(x, h, out, e);
        }
        x.transfer(Opcodes.FCTYPE_AUTHENTICATION_SEND, out, n);
        receive(x, in);
        try
        {
            n = h.success1(in, in.capacity(), out);
        }
        catch (final DhchapException e)
        {
            throw failed(x, h, out, e);
        }
        if (n > 0)
        {
            x.transfer(Opcodes.FCTYPE_AUTHENTICATION_SEND, out, n);
        }
    }

    private static void receive(final Exchange x, final ByteBuffer in)
    {
        // a short transfer leaves zeros, never the previous message, behind the data received
        LittleEndian.fill(in, 0, in.capacity(), 0);
        x.transfer(Opcodes.FCTYPE_AUTHENTICATION_RECEIVE, in, in.capacity());
    }

    private NvmeAuthenticationException failed(final Exchange x, final DhchapHost h, final ByteBuffer out,
        final DhchapException e)
    {
        if (!e.fromController())
        {
            try
            {
                x.transfer(Opcodes.FCTYPE_AUTHENTICATION_SEND, out, h.failure2(out, e.reason()));
            }
            catch (final RuntimeException ignored)
            {
                // the queue closes anyway; the failure we report is the authentication's
            }
        }
        return new NvmeAuthenticationException("DH-HMAC-CHAP on queue " + qid + " of " + where + " failed: " +
            e.getMessage(), e.reason());
    }
}
