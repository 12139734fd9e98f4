package org.nvmeof4j.ddp;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import javax.management.Attribute;
import javax.management.AttributeList;
import javax.management.AttributeNotFoundException;
import javax.management.DynamicMBean;
import javax.management.InvalidAttributeValueException;
import javax.management.JMException;
import javax.management.MBeanAttributeInfo;
import javax.management.MBeanInfo;
import javax.management.MBeanOperationInfo;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * JMX view of one device: its statistics under their documented names ({@code rx_nvme_tcp_*}, read-only
 * {@code long} attributes), its caps ({@code caps_hw}, and {@code caps_active} which is writable with a
 * comma-separated list such as {@code "nvme_tcp,nvme_tcp_ddgst_rx"}), and {@code up}. Object name
 * {@code org.nvmeof4j:type=UlpDdpDevice,name=<device name>}. This is the Java stand-in for the kernel's ULP DDP
 * netlink family (seed 003).
 */
public final class UlpDdpMBean implements DynamicMBean
{
    /** JMX domain and type of device MBeans. */
    public static final String OBJECT_NAME_PREFIX = "org.nvmeof4j:type=UlpDdpDevice,name=";

    private final UlpDdpDevice device;

    public UlpDdpMBean(final UlpDdpDevice device)
    {
        this.device = device;
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

    static void register(final UlpDdpDevice device)
    {
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        final ObjectName name = objectName(device.name());
        try
        {
            if (server.isRegistered(name))
            {
                server.unregisterMBean(name);
            }
            server.registerMBean(new UlpDdpMBean(device), name);
        }
        catch (final JMException e)
        {
            // JMX is a view: a failure to register must not stop the data path
        }
    }

    static void unregister(final UlpDdpDevice device)
    {
        try
        {
            ManagementFactory.getPlatformMBeanServer().unregisterMBean(objectName(device.name()));
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
            case "caps_hw":
                return UlpDdpCaps.names(device.getCaps().hw());
            case "caps_active":
                return UlpDdpCaps.names(device.getCaps().active());
            case "up":
                return device.isUp();
            default:
                if (UlpDdpStats.NAMES.contains(attribute))
                {
                    return device.getStats().get(attribute);
                }
                throw new AttributeNotFoundException(attribute);
        }
    }

    @Override
    public void setAttribute(final Attribute attribute)
        throws AttributeNotFoundException, InvalidAttributeValueException
    {
        if (!"caps_active".equals(attribute.getName()))
        {
            throw new AttributeNotFoundException(attribute.getName() + " is read-only or unknown");
        }
        try
        {
            device.setCaps(UlpDdpCaps.parse(String.valueOf(attribute.getValue())));
        }
        catch (final IllegalArgumentException e)
        {
            throw new InvalidAttributeValueException(e.getMessage());
        }
    }

    @Override
    public AttributeList getAttributes(final String[] attributes)
    {
        final AttributeList list = new AttributeList();
        final UlpDdpStats stats = device.getStats();
        for (final String a : attributes)
        {
            try
            {
                list.add(new Attribute(a, UlpDdpStats.NAMES.contains(a) ? stats.get(a) : getAttribute(a)));
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
        final AttributeList done = new AttributeList();
        for (final Attribute a : attributes.asList())
        {
            try
            {
                setAttribute(a);
                done.add(a);
            }
            catch (final JMException ignore)
            {
                // not set
            }
        }
        return done;
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
        for (final String n : UlpDdpStats.NAMES)
        {
            attrs.add(new MBeanAttributeInfo(n, "long", n, true, false, false));
        }
        attrs.add(new MBeanAttributeInfo("caps_hw", "java.lang.String", "supported capabilities", true, false, false));
        attrs.add(new MBeanAttributeInfo("caps_active", "java.lang.String",
            "enabled capabilities (applies at the next connect)", true, true, false));
        attrs.add(new MBeanAttributeInfo("up", "boolean", "device is up", true, false, true));
        return new MBeanInfo(UlpDdpMBean.class.getName(), "ULP DDP device " + device.name(),
            attrs.toArray(new MBeanAttributeInfo[0]), null, new MBeanOperationInfo[0], null);
    }
}
