package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The Linux 6.12 guest's tools for the TLS and DH-HMAC-CHAP interop ({@code interop/linux-security-check.sh}):
 * nvme-cli 2.13's gen-dhchap-key, gen-tls-key and check-tls-key --insert, tlshd, and nvmet configfs taking a
 * host's dhchap_key and a port's addr_tsas=tls1.3. Run with {@code mvn -Pinterop -pl nvmeof4j-cli -am verify}.
 */
@Tag("linux-interop")
class LinuxSecurityToolsInteropTest
{
    @Test
    void shouldHaveEverySecurityToolWorkingInTheLinux612Guest() throws Exception
    {
        final InteropScript.Result r = InteropScript.run("interop/linux-security-check.sh", 300);
        assertThat(r.finished()).as(r.output()).isTrue();
        assertThat(r.output()).contains("INTEROP PASS gen-dhchap-key", "INTEROP PASS gen-tls-key",
            "INTEROP PASS check-tls-key-insert", "INTEROP PASS tlshd", "INTEROP PASS nvmet-dhchap-key",
            "INTEROP PASS nvmet-tls-port");
        assertThat(r.lastLineStartingWith("INTEROP SUMMARY")).isEqualTo("INTEROP SUMMARY passed=6 failed=0");
        assertThat(r.exitValue()).as(r.output()).isZero();
    }
}
