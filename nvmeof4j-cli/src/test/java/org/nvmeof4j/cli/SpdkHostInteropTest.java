package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * SPDK's host tools as a peer: interop/spdk-host.sh runs {@code nvmeof4j target} and spdk_nvme_identify,
 * spdk_nvme_discover and six spdk_nvme_perf runs (4 KiB randread QD32, 8 KiB randrw 50/50 QD32 through R2T and
 * H2CData, 128 KiB writes QD8; plain and with header and data digests) against it. The CLI runs from this module's
 * test classpath. Skipped when SPDK's tools are not built (interop/spdk-setup.sh builds them; about 15 minutes, so
 * not in CI). Run with {@code mvn -Pinterop -pl nvmeof4j-cli -am verify}, or this test alone with
 * {@code mvn -Pinterop -DincludedTestGroups=spdk-interop -pl nvmeof4j-cli -am verify}.
 */
@Tag("spdk-interop")
class SpdkHostInteropTest
{
    private static final int EXIT_NO_SPDK = 5;

    @Test
    void spdkHostToolsShouldPassEveryCheck() throws Exception
    {
        final InteropScript.Result r = InteropScript.run("interop/spdk-host.sh", 600);
        final String output = r.output();
        assertThat(r.finished()).as("spdk-host.sh did not finish within 600 s:\n" + output).isTrue();
        assumeTrue(r.exitValue() != EXIT_NO_SPDK, () -> "SPDK's host tools are not available: " + r.lastLine());
        final String summary = r.lastLineStartingWith("SPDK SUMMARY ");
        assertThat(r.exitValue()).as(output).isZero();
        // identify, discover, six perf runs
        assertThat(summary).isEqualTo("SPDK SUMMARY passed=8 failed=0");
    }
}
