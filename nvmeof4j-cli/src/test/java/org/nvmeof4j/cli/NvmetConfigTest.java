package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;
import org.nvmeof4j.target.Target;

/** Regression cases of the nvmetcli JSON loader found by {@link NvmetConfigFuzzTest}. */
class NvmetConfigTest
{
    private static final String HOST = "nqn.2014-08.org.nvmexpress:uuid:11111111-2222-3333-4444-555555555555";

    @Test
    void shouldRefuseToConfigureTheDiscoverySubsystem()
    {
        // a reload naming the discovery NQN gave the built-in discovery subsystem this host, and reloading the old
        // config did not take it away again
        final String json = "{\"ports\": [{\"addr\": {\"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\"}}],"
            + " \"subsystems\": [{\"nqn\": \"nqn.2014-08.org.nvmexpress.discovery\", \"allowed_hosts\": [\"" + HOST
            + "\"], \"namespaces\": []}]}";
        final NvmetConfig config = NvmetConfig.parse(json);
        assertThatThrownBy(config::subsystemSpecs).isInstanceOf(UsageException.class)
            .hasMessageContaining("subsystems[0].nqn").hasMessageContaining("built in");
        assertThatThrownBy(() -> config.apply(Target.builder())).isInstanceOf(UsageException.class)
            .hasMessageContaining("subsystems[0].nqn");
    }

    @Test
    void shouldStillAcceptAnOrdinarySubsystem()
    {
        final String json = "{\"ports\": [{\"addr\": {\"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\"}}],"
            + " \"subsystems\": [{\"nqn\": \"nqn.2024-01.org.nvmeof4j:a\", \"allowed_hosts\": [\"" + HOST
            + "\"], \"namespaces\": [{\"nsid\": 1, \"device\": {\"path\": \"null:1\"}}]}]}";
        assertThat(NvmetConfig.parse(json).subsystemSpecs()).hasSize(1);
    }

    @Test
    void shouldReportAValueWithNewlinesAndNulsOnOneLine()
    {
        // found by NvmetConfigFuzzTest: an NQN holding a NUL and a newline was quoted raw in the usage error
        final String json = "{\"ports\": [{\"addr\": {\"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\"}}],"
            + " \"subsystems\": [{\"nqn\": \"nqn.2024-01.x\\u0000y\\nz\", \"namespaces\": []}]}";
        assertThatThrownBy(() -> NvmetConfig.parse(json).subsystemSpecs()).isInstanceOf(UsageException.class)
            .hasMessageNotContaining("\n").hasMessageNotContaining("\u0000")
            .hasMessageContaining("subsystems[0]").hasMessageContaining("\\n");
        assertThat(NvmetConfig.oneLine("a\tb\u001b[31mc")).isEqualTo("a\\tb\\u001b[31mc");
        assertThat(NvmetConfig.oneLine("plain")).isEqualTo("plain");
    }

    @Test
    void shouldReportABadInlineDataSizeAsAUsageError()
    {
        // found by NvmetConfigFuzzTest: the builder's IllegalArgumentException escaped apply
        final String json = "{\"ports\": [{\"addr\": {\"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\"},"
            + " \"param\": {\"inline_data_size\": \"1\"}}], \"subsystems\": []}";
        assertThatThrownBy(() -> NvmetConfig.parse(json).apply(Target.builder())).isInstanceOf(UsageException.class)
            .hasMessageContaining("ports[0].param.inline_data_size").hasMessageContaining("multiple of 16");
    }

    @Test
    void shouldCheckTheModelBeforeAReloadChangesAnything()
    {
        // found by NvmetConfigFuzzTest: a model of 41 characters passed the check, so a reload first removed the
        // running subsystems and then failed to build the new one
        final String json = "{\"ports\": [{\"addr\": {\"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\"}}],"
            + " \"subsystems\": [{\"nqn\": \"nqn.2024-01.org.nvmeof4j:a\", \"attr\": {\"model\": \""
            + "m".repeat(41) + "\"}, \"namespaces\": []}]}";
        assertThatThrownBy(() -> NvmetConfig.parse(json).subsystemSpecs()).isInstanceOf(UsageException.class)
            .hasMessageContaining("subsystems[0]").hasMessageContaining("model must be at most 40");
        assertThat(NvmetConfig.parse(json.replace("m".repeat(41), "m".repeat(40))).subsystemSpecs()).hasSize(1);
    }
}
