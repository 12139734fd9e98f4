package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** {@code ddp bench --what rx}: the off, soft and floor receive paths, side by side (figures not judged here). */
class DdpBenchTest
{
    @Test
    void shouldReceiveEveryByteOnTheFloorPathOverBothChannels() throws Exception
    {
        for (final boolean memory : new boolean[] {true, false})
        {
            final DdpRxBench bench = new DdpRxBench(131072, 4, false);
            final long[] m = bench.runFloor(8L << 20, memory);
            assertThat(m[2]).isEqualTo(bench.completed * 131072L).isGreaterThanOrEqualTo(8L << 20);
            assertThat(m[0]).isPositive();
        }
    }

    @Test
    void shouldReportOffSoftAndFloorRowsWithTheirRatios() throws Exception
    {
        final StringWriter sw = new StringWriter();
        final CommandLine cl = new CommandLine(new Nvmeof4j());
        cl.setOut(new PrintWriter(sw));
        final int rc = cl.execute("ddp", "bench", "--what", "rx", "--rx-channel", "memory", "--sizes", "131072",
            "--rx-gib", "0.02", "--repeat", "1", "--json");
        assertThat(rc).isZero();
        final JsonNode rows = new ObjectMapper().readTree(sw.toString());
        assertThat(rows).hasSize(6); // 3 paths x data digest off/on
        for (final JsonNode row : rows)
        {
            assertThat(row.path("ddp").asText()).isIn("off", "soft", "floor");
            assertThat(row.path("rx_cpu_seconds_per_gib").asDouble()).isPositive();
            if (row.path("ddp").asText().equals("floor"))
            {
                assertThat(row.path("cpu_vs_floor").asDouble()).isEqualTo(1.0);
            }
            if (row.path("ddp").asText().equals("off"))
            {
                assertThat(row.path("cpu_vs_off").asDouble()).isEqualTo(1.0);
            }
        }
    }
}
