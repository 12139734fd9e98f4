package org.nvmeof4j.host.discovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class DiscoveryLogEntryTest
{
    @Test
    void shouldPrintEveryComponentAsARecordWould()
    {
        final DiscoveryLogEntry e = new DiscoveryLogEntry(3, 1, 2, 1, 7, 0xffff, 32, 4, "4420",
            "nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6", "192.168.0.2", 0);
        assertEquals("DiscoveryLogEntry[trtype=3, adrfam=1, subtype=2, treq=1, portid=7, cntlid=65535, asqsz=32, " +
            "eflags=4, trsvcid=4420, subnqn=nqn.2014-08.org.nvmexpress:uuid:f81d4fae-7dec-11d0-a765-00a0c91e6bf6, " +
            "traddr=192.168.0.2, sectype=0]", e.toString());
    }

    @Test
    void shouldPrintNullStringsAsNull()
    {
        final DiscoveryLogEntry e = new DiscoveryLogEntry(0, 0, 0, 0, 0, 0, 0, 0, null, null, null, 0);
        assertEquals("DiscoveryLogEntry[trtype=0, adrfam=0, subtype=0, treq=0, portid=0, cntlid=0, asqsz=0, " +
            "eflags=0, trsvcid=null, subnqn=null, traddr=null, sectype=0]", e.toString());
    }
}
