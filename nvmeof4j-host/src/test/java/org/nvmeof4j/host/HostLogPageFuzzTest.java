package org.nvmeof4j.host;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.nvmeof4j.host.discovery.Discovery;
import org.nvmeof4j.host.discovery.DiscoveryLogEntry;
import org.nvmeof4j.protocol.admin.Identify;
import org.nvmeof4j.protocol.admin.IdentifyController;
import org.nvmeof4j.protocol.admin.IdentifyNamespace;
import org.nvmeof4j.protocol.nvme.Opcodes;

/**
 * Jazzer fuzz target for the host's decoding of what a controller returns to admin commands: the Discovery Log Page
 * as {@link Discovery#readLogFrom} reads it (header, entries, header again, GENCTR changing in between or not, any
 * NUMREC), Identify Controller (every accessor, and MDTS / IOCCSZ as the controller turns them into queue limits),
 * Identify Namespace and the Active Namespace ID list as a rescan ({@link NamespaceTable}) reads them, and the
 * Changed Namespace List log page of a namespace-changed event ({@link AsyncEvents#changedNamespaces}).
 *
 * <p>The properties: nothing but the documented exceptions escapes ({@link NvmeTransportException} for a log that
 * cannot be read consistently, {@link NvmeException} when the controller fails the command); a log has NUMREC
 * entries; a namespace is kept only if the active list names it and its block size is a power of two from 512
 * bytes on; the LBA sizes handed to the queues cover every kept namespace; MDTS and in-capsule sizes are never
 * negative.
 *
 * <p>In the default test run this replays the stored inputs (src/test/resources/.../HostLogPageFuzzTestInputs); to
 * fuzz: {@code fuzz/run.sh HostLogPageFuzzTest}.
 */
class HostLogPageFuzzTest
{
    private static final List<Method> CONTROLLER_GETTERS = getters(IdentifyController.class);
    private static final List<Method> NAMESPACE_GETTERS = getters(IdentifyNamespace.class);

    @FuzzTest(maxDuration = "30s")
    void adminDataDecodes(final FuzzedDataProvider data) throws Exception
    {
        switch (data.consumeInt(0, 3))
        {
            case 0:
                discoveryLog(data);
                break;
            case 1:
                identifyController(data);
                break;
            case 2:
                rescan(data, false);
                break;
            default:
                rescan(data, true);
        }
    }

    // ------------------------------------------------------------------ discovery log

    private static void discoveryLog(final FuzzedDataProvider data)
    {
        final boolean structured = data.consumeInt(0, 7) != 0;
        final long numrec = structured ? data.consumeInt(0, 6) : keptShort(data.consumeLong());
        final long genctr = data.consumeLong();
        final int changes = data.consumeInt(0, 3) == 0 ? data.consumeInt(0, 30) : 0;
        final int failAt = data.consumeInt(0, 15) == 0 ? data.consumeInt(0, 3) : -1;
        final byte[] header = new byte[Discovery.HEADER_LENGTH];
        final ByteBuffer h = ByteBuffer.wrap(header).order(ByteOrder.LITTLE_ENDIAN);
        h.putLong(0, genctr).putLong(8, numrec).putShort(16, (short)data.consumeInt(0, 3));
        final byte[] entries = data.consumeBytes(structured ? 6 * DiscoveryLogEntry.LENGTH : 4096);
        final int[] calls = {0};
        final Discovery.LogPages pages = (lid, nsid, offset, length) ->
        {
            if (lid != Discovery.LID_DISCOVERY || offset != 0 || length < Discovery.HEADER_LENGTH)
            {
                throw new AssertionError("asked LID " + lid + " offset " + offset + " length " + length);
            }
            final int call = calls[0]++;
            if (call == failAt)
            {
                throw new NvmeException("Get Log Page", Opcodes.ADMIN_GET_LOG_PAGE, 0x0002);
            }
            final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
            b.put(0, header);
            // a log that changes between the reads (GENCTR moves) for the first `changes` reads
            if (call < changes)
            {
                b.putLong(0, genctr + call + 1);
            }
            b.put(Discovery.HEADER_LENGTH, entries, 0, Math.min(entries.length, length - Discovery.HEADER_LENGTH));
            return b;
        };
        final Discovery.Log log;
        try
        {
            log = Discovery.readLogFrom(pages);
        }
        catch (final NvmeTransportException | NvmeException e)
        {
            return; // documented
        }
        if (log.entries().size() != numrec)
        {
            throw new AssertionError(log.entries().size() + " entries for NUMREC " + numrec);
        }
        for (final DiscoveryLogEntry e : log.entries())
        {
            if (e.subnqn() == null || e.traddr() == null || e.trsvcid() == null)
            {
                throw new AssertionError("entry with a null string: " + e);
            }
            e.trtypeName();
            e.subtypeName();
            e.adrfamName();
            e.treqName();
            e.toString();
        }
        log.subsystems();
        log.referrals();
    }

    /**
     * A NUMREC from anywhere in a long: one out of range stays as it is (refused at once); one in range is kept under
     * 257 entries, since a log of up to 65,536 (64 MiB, every entry decoded) took the run from thousands of inputs a
     * second to 300.
     */
    private static long keptShort(final long numrec)
    {
        return numrec >= 0 && numrec <= 65536 ? numrec % 257 : numrec;
    }

    // ------------------------------------------------------------------ identify controller

    private static void identifyController(final FuzzedDataProvider data) throws Exception
    {
        final ByteBuffer b = page(data, IdentifyController.LENGTH);
        final IdentifyController id = new IdentifyController().wrap(b, 0);
        callAll(CONTROLLER_GETTERS, id);
        for (int mpsmin = 0; mpsmin < 16; mpsmin++)
        {
            final int page = 4096 << mpsmin;
            final long mdts = id.maxDataTransferBytes(page);
            if (mdts < 0 || id.mdts() != 0 && mdts < page)
            {
                throw new AssertionError("MDTS " + id.mdts() + " with a " + page + "-byte page decodes as " + mdts);
            }
        }
        if (id.maxInCapsuleDataBytes() < 0)
        {
            throw new AssertionError("IOCCSZ decodes as " + id.maxInCapsuleDataBytes());
        }
    }

    // ------------------------------------------------------------------ namespaces

    /** A rescan of everything, or (changed) of what a Changed Namespace List names, against a fake controller. */
    private static void rescan(final FuzzedDataProvider data, final boolean changed) throws Exception
    {
        final ByteBuffer active = nsidList(data);
        final ByteBuffer changedLog = changed ? nsidList(data) : null;
        final ByteBuffer namespace = page(data, IdentifyNamespace.LENGTH);
        final boolean perNsidFormat = data.consumeBoolean();
        final List<int[]> published = new ArrayList<>();
        final NamespaceTable.Admin admin = new NamespaceTable.Admin()
        {
            @Override
            public ByteBuffer identify(final int cns, final int nsid)
            {
                if (cns == Identify.CNS_ACTIVE_NAMESPACE_LIST)
                {
                    return active.duplicate().order(ByteOrder.LITTLE_ENDIAN);
                }
                if (cns != Identify.CNS_NAMESPACE)
                {
                    throw new AssertionError("Identify CNS " + cns);
                }
                final ByteBuffer b = ByteBuffer.allocate(IdentifyNamespace.LENGTH).order(ByteOrder.LITTLE_ENDIAN);
                b.put(0, namespace, 0, IdentifyNamespace.LENGTH);
                if (perNsidFormat)
                {
                    b.put(IdentifyNamespace.FLBAS_OFFSET, (byte)nsid); // each NSID its own format
                }
                return b;
            }

            @Override
            public void publishLbaShifts(final int[] shifts)
            {
                published.add(shifts.clone());
            }
        };
        final NamespaceTable table = new NamespaceTable(admin);
        final List<Integer> names;
        if (changed)
        {
            table.rescan();
            names = AsyncEvents.changedNamespaces(changedLog);
            if (names == null)
            {
                table.rescan();
            }
            else
            {
                table.rescan(names);
            }
        }
        else
        {
            table.rescan();
        }
        final Set<Integer> listed = new HashSet<>();
        for (int i = 0; i < 1024 && active.getInt(4 * i) != 0; i++)
        {
            listed.add(active.getInt(4 * i));
        }
        final int[] last = published.isEmpty() ? new int[0] : published.get(published.size() - 1);
        for (final Namespace ns : table.list())
        {
            final int bs = ns.blockSize();
            if (!listed.contains(ns.nsid()) || bs < 512 || Integer.bitCount(bs) != 1)
            {
                throw new AssertionError("kept NSID " + ns.nsid() + " with block size " + bs + " (listed: " +
                    listed.contains(ns.nsid()) + ")");
            }
            if (ns.nsid() < 0 || ns.nsid() >= last.length || 1 << last[ns.nsid()] != bs)
            {
                throw new AssertionError("the queues do not know NSID " + ns.nsid() + "'s block size " + bs + ": " +
                    Arrays.toString(last));
            }
            callAll(NAMESPACE_GETTERS, ns.identifyNamespace());
            ns.sizeBytes();
        }
    }

    /** A 4096-byte NSID list: a few NSIDs (any 32-bit values, in order or not), then zeros, or any bytes. */
    private static ByteBuffer nsidList(final FuzzedDataProvider data)
    {
        final ByteBuffer b = ByteBuffer.allocate(4096).order(ByteOrder.LITTLE_ENDIAN);
        if (data.consumeInt(0, 7) == 0)
        {
            b.put(0, data.consumeBytes(4096));
            return b;
        }
        final int n = data.consumeInt(0, 6);
        for (int i = 0; i < n; i++)
        {
            b.putInt(4 * i, data.consumeBoolean() ? data.consumeInt(1, 8) : data.consumeInt());
        }
        return b;
    }

    /** A structure of {@code length} bytes: mostly zeros with some fields set from the input, or any bytes. */
    private static ByteBuffer page(final FuzzedDataProvider data, final int length)
    {
        final ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
        if (data.consumeBoolean())
        {
            b.put(0, data.consumeBytes(length));
            return b;
        }
        final int fields = data.consumeInt(0, 24);
        for (int i = 0; i < fields; i++)
        {
            final int at = data.consumeInt(0, 511);
            b.put(at, data.consumeByte());
        }
        return b;
    }

    private static List<Method> getters(final Class<?> type)
    {
        final List<Method> l = new ArrayList<>();
        for (final Method m : type.getMethods())
        {
            if (m.getParameterCount() == 0 && !Modifier.isStatic(m.getModifiers()) &&
                m.getDeclaringClass() == type && m.getReturnType() != void.class && !m.getName().equals("clear"))
            {
                l.add(m);
            }
        }
        l.sort((a, b) -> a.getName().compareTo(b.getName()));
        return l;
    }

    private static void callAll(final List<Method> getters, final Object target) throws Exception
    {
        for (final Method m : getters)
        {
            try
            {
                m.invoke(target);
            }
            catch (final InvocationTargetException e)
            {
                throw new AssertionError(m.getName() + " threw", e.getCause());
            }
        }
    }
}
