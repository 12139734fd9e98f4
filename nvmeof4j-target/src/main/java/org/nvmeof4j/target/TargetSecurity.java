package org.nvmeof4j.target;

import javax.management.JMException;
import javax.management.ObjectName;
import org.nvmeof4j.tcp.tls.TlsFailure;

/** The {@link TargetSecurityMXBean} of a running target: reads the target's counters, keeps nothing of its own. */
final class TargetSecurity implements TargetSecurityMXBean
{
    private final Target target;

    private TargetSecurity(final Target target)
    {
        this.target = target;
    }

    /** @return the JMX name of the security counters of a target whose first port is {@code port}. */
    static ObjectName objectName(final String port) throws JMException
    {
        return new ObjectName("org.nvmeof4j:type=TargetSecurity,name=" + ObjectName.quote(port));
    }

    /** Register the target's bean under its first port's address; null (and nothing registered) if JMX refuses. */
    static ObjectName register(final Target target)
    {
        if (target.listeners().isEmpty())
        {
            return null;
        }
        final java.net.InetSocketAddress a = target.listeners().get(0).address();
        try
        {
            final ObjectName name = objectName(a.getAddress().getHostAddress() + ":" + a.getPort());
            // a target closed without close() on this port before leaves its bean: replaced
            return MBeans.replace(name, new TargetSecurity(target)) ? name : null;
        }
        catch (final JMException e)
        {
            return null; // counters stay readable through the Target and --metrics
        }
    }

    @Override
    public long getTlsUnknownIdentity()
    {
        return target.tlsFailures(TlsFailure.UNKNOWN_IDENTITY);
    }

    @Override
    public long getTlsBadKey()
    {
        return target.tlsFailures(TlsFailure.BAD_KEY);
    }

    @Override
    public long getTlsAlertReceived()
    {
        return target.tlsFailures(TlsFailure.ALERT_RECEIVED);
    }

    @Override
    public long getTlsPlaintext()
    {
        return target.tlsFailures(TlsFailure.PLAINTEXT);
    }

    @Override
    public long getTlsTimeout()
    {
        return target.tlsFailures(TlsFailure.TIMEOUT);
    }

    @Override
    public long getTlsOther()
    {
        return target.tlsFailures(TlsFailure.OTHER);
    }

    @Override
    public long getAuthenticationsSucceeded()
    {
        return target.authenticationsSucceeded();
    }

    @Override
    public long getAuthenticationsFailed()
    {
        return target.authenticationsFailed();
    }
}
