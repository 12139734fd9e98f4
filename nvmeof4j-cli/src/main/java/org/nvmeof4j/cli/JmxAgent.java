package org.nvmeof4j.cli;

import java.io.IOException;
import java.net.MalformedURLException;
import javax.management.remote.JMXConnector;
import javax.management.remote.JMXConnectorFactory;
import javax.management.remote.JMXServiceURL;
import org.nvmeof4j.cli.Nvmeof4j.UsageException;

/** The {@code --jmx URL} of the commands that read another process's counters. */
final class JmxAgent
{
    private JmxAgent()
    {
    }

    /**
     * @return a connection to the agent at {@code url}; the caller closes it.
     * @throws UsageException for a string that is no JMX service URL (exit status 2).
     * @throws IOException    with a one-line message naming the agent, when it cannot be reached.
     */
    static JMXConnector connect(final String url) throws IOException
    {
        final JMXServiceURL u;
        try
        {
            u = new JMXServiceURL(url);
        }
        catch (final MalformedURLException e)
        {
            throw new UsageException("--jmx: not a JMX service URL: " + url);
        }
        try
        {
            return JMXConnectorFactory.connect(u);
        }
        catch (final IOException e)
        {
            throw new IOException("cannot read the JMX agent at " + url + ": " + rootCause(e), e);
        }
    }

    private static String rootCause(final Throwable e)
    {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t)
        {
            t = t.getCause();
        }
        final String m = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        return m.split("\n")[0];
    }
}
