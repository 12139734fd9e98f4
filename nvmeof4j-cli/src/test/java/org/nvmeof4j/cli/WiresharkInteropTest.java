package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Wireshark's NVMe/TCP dissector as a third opinion on the wire format: interop/wireshark-check.sh runs
 * {@code nvmeof4j target} and the host commands (plain and with both digests; with {@code -t tcp} and with
 * {@code -t tcp_offload}, the reference offload engine) under a loopback capture and fails on
 * malformed frames, NVMe warnings, bad digests or missing PDU types. The CLI runs from this module's test classpath,
 * so no jar is needed. Skipped when tshark cannot be installed or may not capture (script exit status 5).
 * Run with {@code mvn -Pinterop -pl nvmeof4j-cli -am verify}.
 */
@Tag("linux-interop")
class WiresharkInteropTest
{
    private static final int EXIT_NO_TSHARK = 5;

    @Test
    void wiresharkShouldFindNothingWrongWithOurPdus() throws Exception
    {
        check("tcp");
    }

    /** The reference offload engine runs the queue protocol itself: its wire must pass the same checks. */
    @Test
    void wiresharkShouldFindNothingWrongWithTheOffloadEnginesPdus() throws Exception
    {
        check("tcp_offload");
    }

    private static void check(final String transport) throws Exception
    {
        final InteropScript.Result r = InteropScript.run("interop/wireshark-check.sh", 300,
            java.util.List.of("--transport", transport));
        final String output = r.output();
        assertThat(r.finished()).as("wireshark-check.sh did not finish within 300 s:\n" + output).isTrue();
        assumeTrue(r.exitValue() != EXIT_NO_TSHARK,
            () -> "tshark cannot be installed or may not capture on lo: " + r.lastLine());
        final String summary = r.lastLineStartingWith("WIRESHARK SUMMARY ");
        System.out.println("[wireshark " + transport + "] " + summary);
        assertThat(r.exitValue()).as(output).isZero();
        assertThat(summary).matches("WIRESHARK SUMMARY passed=[1-9]\\d* failed=0");
    }
}
