package org.nvmeof4j.ddp.model;

import java.nio.ByteBuffer;
import org.nvmeof4j.ddp.UlpDdpIo;
import org.nvmeof4j.protocol.crc.Crc32c;

/**
 * Where the NIC puts the current PDU's data: the registration its C2HData header maps to, whether its bytes are
 * written there ("DMA") now, and the running data digest over the bytes it wrote. {@link ModelNic} decides when; this
 * keeps the state and does the writing. Not thread-safe (the connection's thread owns it).
 */
final class PduPlacement
{
    private final ModelDdpContext context;
    private final boolean crcOffload;
    private final Crc32c crc = new Crc32c();
    private boolean pduPlace;
    /** The current PDU's header maps to a registration (seen in sync, or while tracking a candidate). */
    private boolean pduPlaceable;
    private boolean pduCrc;
    private UlpDdpIo io;
    private long datao;

    PduPlacement(final ModelDdpContext context, final boolean crcOffload)
    {
        this.context = context;
        this.crcOffload = crcOffload;
    }

    /**
     * The current PDU's header maps to {@code mapped} at {@code datao}. Its data is written there at once when the
     * header was seen in sync, and its digest verified when the device verifies digests; a candidate's PDU is
     * written only once the ULP confirms ({@link #resume()}).
     */
    void start(final UlpDdpIo mapped, final long datao, final boolean inSync)
    {
        io = mapped;
        this.datao = datao;
        pduPlaceable = true;
        pduPlace = inSync;
        pduCrc = crcOffload && pduPlace;
        crc.reset();
    }

    /** The current PDU is not (or no longer) placed. */
    void clear()
    {
        pduPlace = false;
        pduPlaceable = false;
        pduCrc = false;
        io = null;
    }

    /** Its header turned out good after all: write the rest of the current PDU, if it maps to a registration. */
    void resume()
    {
        if (pduPlaceable)
        {
            pduPlace = true;
        }
    }

    /** Bytes of the current PDU went missing: its digest can no longer be verified. */
    void stopVerifying()
    {
        pduCrc = false;
    }

    /** @return whether the current PDU's data is written to its registration. */
    boolean placing()
    {
        return pduPlace;
    }

    /** @return whether the current PDU's data digest is being verified (written from its first byte, none missing). */
    boolean verifying()
    {
        return pduCrc;
    }

    /** @return whether the digest of the data written matches the DDGST at {@code ddgst[0..4)}. */
    boolean digestMatches(final ByteBuffer ddgst)
    {
        return crc.value() == Crc32c.get(ddgst, 0);
    }

    /**
     * "DMA" packet bytes to the destination at DATAO + {@code done} (the PDU data bytes before them); the packet's
     * runs point there.
     */
    void place(final Packet p, final int from, final int length, final int done)
    {
        long pos = datao + done;
        int e = 0;
        long base = 0;
        while (e < io.nents() - 1 && base + io.length(e) <= pos)
        {
            base += io.length(e);
            e++;
        }
        int off = (int)(pos - base);
        int left = length;
        int src = from;
        while (left > 0)
        {
            final int take = Math.min(left, io.length(e) - off);
            final ByteBuffer dst = io.buffer(e);
            final int at = io.index(e) + off;
            dst.put(at, p.data, src, take);
            if (pduCrc)
            {
                crc.update(p.data, src, take);
            }
            p.addRun(dst, at, take, true);
            src += take;
            left -= take;
            e++;
            off = 0;
        }
        p.offloaded = true;
        context.countPlacedBytes(length);
    }

    /** {@code unmapped} left the command ID table. */
    void unmapped(final UlpDdpIo unmapped)
    {
        if (unmapped == io)
        {
            clear(); // a registration never outlives its teardown
        }
    }

    /** skDel: nothing is written from now on. */
    void release()
    {
        pduPlace = false;
        io = null;
    }
}
