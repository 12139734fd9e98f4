package org.nvmeof4j.target;

import java.lang.management.ManagementFactory;
import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * The target's JMX views on the platform MBean server. A view is only a view: a failure to register or unregister
 * one never stops what it shows, so these methods report failure by their result and never throw.
 */
public final class MBeans
{
    private MBeans()
    {
    }

    /**
     * Register {@code bean} under {@code name}, replacing a bean left there (by an earlier target or mapping that was
     * never closed, or a newer one of the same name).
     *
     * @return whether it is registered.
     */
    public static boolean replace(final ObjectName name, final Object bean)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            if (server.isRegistered(name))
            {
                server.unregisterMBean(name);
            }
            server.registerMBean(bean, name);
            return true;
        }
        catch (final JMException | RuntimeException e)
        {
            return false;
        }
    }

    /** Unregister {@code name} if it is registered; null or already gone is fine. */
    public static void unregister(final ObjectName name)
    {
        if (name == null)
        {
            return;
        }
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try
        {
            if (server.isRegistered(name))
            {
                server.unregisterMBean(name);
            }
        }
        catch (final JMException | RuntimeException ignore)
        {
            // gone meanwhile
        }
    }
}
