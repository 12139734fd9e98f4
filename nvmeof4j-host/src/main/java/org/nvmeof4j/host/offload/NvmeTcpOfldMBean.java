package org.nvmeof4j.host.offload;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * JMX view of one offload device: its counters ({@link NvmeTcpOfldStats#NAMES}, read-only {@code long}s) and its
 * limits ({@code max_hw_sectors}, {@code max_segments}), under {@code org.nvmeof4j:type=NvmeTcpOfldDev,name=<name>}.
 */
public final class NvmeTcpOfldMBean implements DynamicMBean
{
    /** JMX domain and type of device MBeans. */
    public static final String OBJECT_NAME_PREFIX = "org.nvmeof4j:type=NvmeTcpOfldDev,name=";
    /** The non-counter attributes. */
    public static final List<String> LIMITS = List.of("max_hw_sectors", "max_segments", "local_address",
        "allowed_opts", "required_opts");

    private final NvmeTcpOfldDev dev;

    public NvmeTcpOfldMBean(final NvmeTcpOfldDev dev)
    {
        this.dev = dev;
    }

    /** @return the object name of a device's MBean. */
    public static ObjectName objectName(final String deviceName)
    {
        try
        {
            return new ObjectName(OBJECT_NAME_PREFIX + ObjectName.quote(deviceName));
        }
        catch (final JMException e)
        {
            throw new IllegalArgumentException(e);
        }
    }

    static void register(final NvmeTcpOfldDev dev)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final ObjectName name = objectName(dev.name());
        try
        {
            if (server.isRegistered(name))
            {
                server.unregisterMBean(name);
            }
            server.registerMBean(new NvmeTcpOfldMBean(dev), name);
        }
        catch (final JMException e)
        {
            // JMX is a view: a failure to register must not stop the device
        }
    }

    static void unregister(final NvmeTcpOfldDev dev)
    {
        try
        {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName(dev.name()));
        }
        catch (final JMException ignore)
        {
            // not registered
        }
    }

    @Override
    public Object getAttribute(final String attribute) throws AttributeNotFoundException
    {
        switch (attribute)
        {
            case "max_hw_sectors":
                return (long)dev.maxHwSectors();
            case "max_segments":
                return (long)dev.maxSegments();
            case "local_address":
                return dev.localAddress() == null ? "any" : dev.localAddress().getHostAddress();
            case "allowed_opts":
                return String.join(",", dev.allowedOpts());
            case "required_opts":
                return String.join(",", dev.requiredOpts());
            default:
                if (NvmeTcpOfldStats.NAMES.contains(attribute))
                {
                    return dev.stats().get(attribute);
                }
                throw new AttributeNotFoundException(attribute);
        }
    }

    @Override
    public void setAttribute(final Attribute attribute) throws AttributeNotFoundException
    {
        throw new AttributeNotFoundException(attribute.getName() + " is read-only");
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final AttributeList list = new AttributeList();
        for (final String a : attributes)
        {
            try
            {
                list.add(new Attribute(a, getAttribute(a)));
            }
            catch (final AttributeNotFoundException ignore)
            {
                // skipped, as the DynamicMBean contract allows
            }
        }
        return list;
    }

    @Override
    public AttributeList setAttributes(final AttributeList attributes)
    {
        return new AttributeList();
    }

    @Override
    public Object invoke(final String actionName, final Object[] params, final String[] signature)
    {
        throw new UnsupportedOperationException(actionName);
    }

    @Override
    public MBeanInfo getMBeanInfo()
    {
        final List<MBeanAttributeInfo> attrs = new ArrayList<>();
        for (final String n : NvmeTcpOfldStats.NAMES)
        {
            attrs.add(new MBeanAttributeInfo(n, "long", n, true, false, false));
        }
        attrs.add(new MBeanAttributeInfo("max_hw_sectors", "long", "largest command, 512-byte sectors", true, false,
            false));
        attrs.add(new MBeanAttributeInfo("max_segments", "long", "most data segments per command", true, false, false));
        attrs.add(new MBeanAttributeInfo("local_address", "java.lang.String", "local address routed through", true,
            false, false));
        attrs.add(new MBeanAttributeInfo("allowed_opts", "java.lang.String", "connect options the device accepts",
            true, false, false));
        attrs.add(new MBeanAttributeInfo("required_opts", "java.lang.String", "connect options the device needs",
            true, false, false));
        return new MBeanInfo(NvmeTcpOfldMBean.class.getName(), "NVMe/TCP offload device " + dev.name(),
            attrs.toArray(new MBeanAttributeInfo[0]), null, new MBeanOperationInfo[0], null);
    }
}
