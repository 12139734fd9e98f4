package org.nvmeof4j.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.nvmeof4j.protocol.admin.AnaState;
import org.nvmeof4j.target.Listener;
import org.nvmeof4j.target.Target;

/** ANA from nvmetcli's JSON ({@code ports[].ana_groups}, {@code namespaces[].ana_grpid}), its reload and the flags. */
class AnaConfigTest
{
    private static final String NQN = "nqn.2024-01.x:ana";

    private static String config(final String anaA, final String anaB, final int grpid2)
    {
        return "{ \"ports\": ["
            + " { \"portid\": 1, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" },"
            + "   \"ana_groups\": [ " + anaA + " ], \"subsystems\": [ \"" + NQN + "\" ] },"
            + " { \"portid\": 2, \"addr\": { \"trtype\": \"tcp\", \"traddr\": \"127.0.0.1\", \"trsvcid\": \"0\" },"
            + "   \"ana_groups\": [ " + anaB + " ], \"subsystems\": [ \"" + NQN + "\" ] } ],"
            + " \"subsystems\": [ { \"nqn\": \"" + NQN + "\", \"attr\": { \"allow_any_host\": \"1\" }, \"namespaces\": ["
            + "   { \"nsid\": 1, \"device\": { \"path\": \"ram:4\" } },"
            + "   { \"nsid\": 2, \"ana_grpid\": " + grpid2 + ", \"device\": { \"path\": \"ram:4\" } } ] } ] }";
    }

    private static String group(final int grpid, final String state)
    {
        return "{ \"grpid\": " + grpid + ", \"ana\": { \"state\": \"" + state + "\" } }";
    }

    @Test
    void shouldReadAnaGroupsAndGroupIdsAndReloadThem() throws Exception
    {
        final NvmetConfig a = NvmetConfig.parse(config(group(1, "optimized") + ", " + group(2, "non-optimized"),
            group(1, "inaccessible") + ", " + group(2, "optimized"), 2));
        final Target.Builder b = Target.builder();
        a.apply(b);
        try (Target t = b.build().start())
        {
            final Listener p1 = t.listeners().get(0);
            final Listener p2 = t.listeners().get(1);
            assertThat(p1.anaGroups().state(2)).isEqualTo(AnaState.NON_OPTIMIZED);
            assertThat(p2.anaGroups().state(1)).isEqualTo(AnaState.INACCESSIBLE);
            assertThat(t.subsystem(NQN).namespace(1).anaGrpId()).isEqualTo(1);
            assertThat(t.subsystem(NQN).namespace(2).anaGrpId()).isEqualTo(2);
            a.subsystemSpecs();

            // port 2's group 1 comes back, port 1's group 2 goes (inaccessible through it), namespace 2 moves to 3
            final NvmetConfig next = NvmetConfig.parse(config(group(1, "optimized"),
                group(1, "optimized") + ", " + group(2, "optimized") + ", " + group(3, "change"), 3));
            final long before = t.anaChangeCount();
            final String summary = ConfigReload.apply(t, a, next);
            assertThat(summary).contains("port 2 ana group 1 optimized", "port 1 -ana group 2",
                "port 2 ana group 3 change", NQN + " ns 2 ana_grpid 3").doesNotContain("~ns", "ports differ",
                "failed");
            assertThat(p2.anaGroups().state(1)).isEqualTo(AnaState.OPTIMIZED);
            assertThat(p1.anaGroups().contains(2)).isFalse();
            assertThat(p1.anaGroups().state(2)).isEqualTo(AnaState.INACCESSIBLE);
            assertThat(p2.anaGroups().state(3)).isEqualTo(AnaState.CHANGE);
            assertThat(t.subsystem(NQN).namespace(2).anaGrpId()).as("moved, not replaced").isEqualTo(3);
            assertThat(t.anaChangeCount()).isGreaterThan(before);
            assertThat(ConfigReload.apply(t, next, next)).isEqualTo("no change");

            // a port that lists no group: group 1 back to optimized, the others removed
            final NvmetConfig bare = NvmetConfig.parse(config("", "", 3));
            assertThat(ConfigReload.apply(t, next, bare)).contains("port 2 -ana group 2", "port 2 -ana group 3");
            assertThat(p2.anaGroups().groups()).containsOnlyKeys(1);
        }
    }

    @Test
    void shouldNameTheJsonPathOfABadAnaGroup()
    {
        assertThatThrownBy(() -> NvmetConfig.parse(config(group(1, "sleepy"), "", 1)).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class).hasMessageContaining("ports[0].ana_groups[0].ana.state")
            .hasMessageContaining("sleepy");
        assertThatThrownBy(() -> NvmetConfig.parse(config("", group(129, "optimized"), 1)).apply(Target.builder()))
            .isInstanceOf(Nvmeof4j.UsageException.class).hasMessageContaining("ports[1].ana_groups[0].grpid")
            .hasMessageContaining("1..128");
        assertThatThrownBy(() -> NvmetConfig.parse(config(group(2, "optimized") + ", " + group(2, "change"), "", 1))
            .apply(Target.builder())).hasMessageContaining("listed twice");
        assertThatThrownBy(() -> NvmetConfig.parse(config("", "", 0)).subsystemSpecs())
            .isInstanceOf(Nvmeof4j.UsageException.class).hasMessageContaining("namespaces[1].ana_grpid");
        assertThatThrownBy(() -> NvmetConfig.parse(config("", "", 1).replace("\"ana_groups\": [  ]",
            "\"ana_groups\": 7")).apply(Target.builder())).hasMessageContaining("expected an array");
    }

    @Test
    void shouldParseTheAnaStateFlag()
    {
        assertThat(TargetCommand.parseAnaState("2=non-optimized", List.of(4420))).containsExactly(-1, 2,
            AnaState.NON_OPTIMIZED.ordinal());
        assertThat(TargetCommand.parseAnaState("4421@1=inaccessible", List.of(4420, 4421))).containsExactly(4421, 1,
            AnaState.INACCESSIBLE.ordinal());
        assertThatThrownBy(() -> TargetCommand.parseAnaState("1=asleep", List.of(4420)))
            .isInstanceOf(Nvmeof4j.UsageException.class).hasMessageContaining("asleep");
        assertThatThrownBy(() -> TargetCommand.parseAnaState("x@1=optimized", List.of(4420)))
            .isInstanceOf(Nvmeof4j.UsageException.class);
        assertThatThrownBy(() -> TargetCommand.parseAnaState("0=optimized", List.of(4420)))
            .hasMessageContaining("1..128");
        assertThatThrownBy(() -> TargetCommand.parseAnaState("5000@1=optimized", List.of(4420)))
            .hasMessageContaining("not a --port");
        assertThatThrownBy(() -> TargetCommand.parseAnaState("optimized", List.of(4420)))
            .isInstanceOf(Nvmeof4j.UsageException.class);
    }
}
