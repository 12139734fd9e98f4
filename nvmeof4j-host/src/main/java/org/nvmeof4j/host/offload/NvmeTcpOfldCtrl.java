package org.nvmeof4j.host.offload;

import org.nvmeof4j.host.ConnectOptions;

/**
 * The ULP's view of one controller, as the driver sees it in {@link NvmeTcpOfldOps#setupCtrl}: the options it was
 * connected with (validated against the device's allowed and required options) and the device that claimed it.
 */
public final class NvmeTcpOfldCtrl
{
    private final ConnectOptions options;
    private final NvmeTcpOfldDev dev;

    NvmeTcpOfldCtrl(final ConnectOptions options, final NvmeTcpOfldDev dev)
    {
        this.options = options;
        this.dev = dev;
    }

    /** @return the controller's options; read-only for the driver. */
    public ConnectOptions options()
    {
        return options;
    }

    /** @return the device that claimed the controller. */
    public NvmeTcpOfldDev dev()
    {
        return dev;
    }

    /** @return {@code traddr:trsvcid}, for messages. */
    public String address()
    {
        return options.traddr() + ":" + options.trsvcid();
    }
}
