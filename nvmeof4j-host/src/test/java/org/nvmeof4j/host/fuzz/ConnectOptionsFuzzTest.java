package org.nvmeof4j.host.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import org.nvmeof4j.host.ConnectOptions;

/**
 * Jazzer fuzz target for the nvme-cli style options string ({@link ConnectOptions#parse}): any string either parses
 * or fails with the documented {@link IllegalArgumentException}, whose message a CLI prints as its one-line error;
 * nothing else may escape. In the default test run this replays the stored inputs
 * (src/test/resources/.../ConnectOptionsFuzzTestInputs); to fuzz:
 * {@code JAZZER_FUZZ=1 mvn -pl nvmeof4j-host test -Dtest=ConnectOptionsFuzzTest}.
 */
class ConnectOptionsFuzzTest
{
    @FuzzTest(maxDuration = "30s")
    void optionsParseNeverThrowsOtherThanIae(final byte[] input)
    {
        final String options = new String(input, StandardCharsets.UTF_8);
        try
        {
            ConnectOptions.parse(options);
        }
        catch (final IllegalArgumentException e)
        {
            if (e.getMessage() == null || e.getMessage().isBlank() || e.getMessage().indexOf('\n') >= 0)
            {
                throw new AssertionError("the error must be one line a user can read: " + e.getMessage(), e);
            }
        }
    }
}
