package org.nvmeof4j.tls;

/**
 * Reads the PSK binder lengths out of a TLS ClientHello as its bytes arrive, before they reach Bouncy Castle: its
 * server asks for the external PSK ({@code getExternalPSK}) with the offered identities only, and the binder length
 * (32 for HMAC-SHA256, 48 for HMAC-SHA384) is what tells the hash a client bound its PSK to.
 *
 * <pre>
 *   record:      type(1)=22  legacy_version(2)  length(2)  fragment...     (the message may span records)
 *   handshake:   msg_type(1)=1  length(3)  body
 *   ClientHello: legacy_version(2) random(32) session_id&lt;0..32&gt;(1) cipher_suites(2) compression(1)
 *                extensions(2) { type(2) length(2) data }...   pre_shared_key (41) comes last (RFC 8446 4.2.11)
 *   pre_shared_key: identities(2) { identity(2) obfuscated_ticket_age(4) }...  binders(2) { binder(1) }...
 * </pre>
 *
 * Anything malformed, or a message larger than {@link #MAX_MESSAGE}, ends the reading with no result: Bouncy
 * Castle then judges the ClientHello itself. Never throws on input.
 */
final class ClientHelloBinders
{
    static final int MAX_MESSAGE = 16 * 1024;
    private static final int RECORD_HEADER = 5;
    private static final int HANDSHAKE = 22;
    private static final int CLIENT_HELLO = 1;
    private static final int PRE_SHARED_KEY = 41;

    private final byte[] message = new byte[MAX_MESSAGE];
    private int messageLength;
    private final byte[] header = new byte[RECORD_HEADER];
    private int headerLength;
    /** Fragment bytes of the current record still to come. */
    private int fragmentLeft;
    private boolean done;
    private int[] binderLengths;
    private byte[][] binders;
    /** The ClientHello message up to its binders list, what every binder is an HMAC over (RFC 8446 4.2.11.2). */
    private byte[] truncated;

    /** Offer the next bytes from the wire (the start of the stream on the first call). */
    void feed(final byte[] b, final int offset, final int length)
    {
        int i = offset;
        final int end = offset + length;
        while (!done && i < end)
        {
            if (fragmentLeft == 0)
            {
                header[headerLength++] = b[i++];
                if (headerLength == RECORD_HEADER)
                {
                    headerLength = 0;
                    fragmentLeft = ((header[3] & 0xFF) << 8) | (header[4] & 0xFF);
                    if ((header[0] & 0xFF) != HANDSHAKE || fragmentLeft == 0)
                    {
                        finish(null);
                    }
                }
                continue;
            }
            final int k = Math.min(fragmentLeft, end - i);
            if (messageLength + k > MAX_MESSAGE)
            {
                finish(null);
                return;
            }
            System.arraycopy(b, i, message, messageLength, k);
            messageLength += k;
            fragmentLeft -= k;
            i += k;
            if (messageLength >= 4)
            {
                if ((message[0] & 0xFF) != CLIENT_HELLO)
                {
                    finish(null);
                    return;
                }
                final int bodyLength = u24(1);
                if (bodyLength + 4 > MAX_MESSAGE)
                {
                    finish(null);
                    return;
                }
                if (messageLength >= bodyLength + 4)
                {
                    finish(parse(4, 4 + bodyLength));
                }
            }
        }
    }

    /** @return whether the ClientHello was read whole (or given up on). */
    boolean done()
    {
        return done;
    }

    /**
     * @return the binder lengths in the order of the offered identities, or null (no pre_shared_key extension, not
     *         read yet, or not readable).
     */
    int[] binderLengths()
    {
        return binderLengths == null ? null : binderLengths.clone();
    }

    /** @return the i-th binder offered, or null. */
    byte[] binder(final int i)
    {
        return binders == null || i < 0 || i >= binders.length ? null : binders[i].clone();
    }

    /** @return the ClientHello (handshake header included) up to its binders list, or null. */
    byte[] truncatedClientHello()
    {
        return truncated == null ? null : truncated.clone();
    }

    private void finish(final int[] result)
    {
        done = true;
        binderLengths = result;
    }

    private int u8(final int at)
    {
        return message[at] & 0xFF;
    }

    private int u16(final int at)
    {
        return (u8(at) << 8) | u8(at + 1);
    }

    private int u24(final int at)
    {
        return (u8(at) << 16) | u16(at + 1);
    }

    /** @return the binder lengths of the ClientHello body in [p, end), or null. */
    private int[] parse(final int start, final int end)
    {
        int p = start + 2 + 32; // legacy_version, random
        if (p + 1 > end)
        {
            return null;
        }
        p += 1 + u8(p); // session id
        if (p + 2 > end)
        {
            return null;
        }
        p += 2 + u16(p); // cipher suites
        if (p + 1 > end)
        {
            return null;
        }
        p += 1 + u8(p); // compression methods
        if (p + 2 > end)
        {
            return null;
        }
        final int extensionsEnd = p + 2 + u16(p);
        p += 2;
        if (extensionsEnd > end)
        {
            return null;
        }
        while (p + 4 <= extensionsEnd)
        {
            final int type = u16(p);
            final int length = u16(p + 2);
            p += 4;
            if (p + length > extensionsEnd)
            {
                return null;
            }
            if (type == PRE_SHARED_KEY)
            {
                return binders(p, p + length);
            }
            p += length;
        }
        return null;
    }

    private int[] binders(final int start, final int end)
    {
        if (start + 2 > end)
        {
            return null;
        }
        int p = start + 2 + u16(start); // identities
        if (p + 2 > end)
        {
            return null;
        }
        final int bindersEnd = p + 2 + u16(p);
        p += 2;
        if (bindersEnd > end)
        {
            return null;
        }
        int count = 0;
        for (int q = p; q < bindersEnd; q += 1 + u8(q))
        {
            count++;
        }
        final int bindersStart = p - 2;
        final int[] lengths = new int[count];
        final byte[][] values = new byte[count][];
        for (int i = 0; i < count; i++)
        {
            lengths[i] = u8(p);
            values[i] = java.util.Arrays.copyOfRange(message, p + 1, Math.min(p + 1 + lengths[i], bindersEnd));
            p += 1 + lengths[i];
        }
        if (p != bindersEnd)
        {
            return null;
        }
        binders = values;
        truncated = java.util.Arrays.copyOf(message, bindersStart);
        return lengths;
    }
}
