package org.nvmeof4j.host.offload;

/**
 * A driver module as the {@link java.util.ServiceLoader} finds it ({@code META-INF/services/
 * org.nvmeof4j.host.offload.NvmeTcpOfldDriver}): its {@link #probe} registers the devices it finds with
 * {@link NvmeTcpOffload#registerDev}, as a PCI driver's probe calls {@code nvme_tcp_ofld_register_dev} (seed 002).
 */
public interface NvmeTcpOfldDriver
{
    /** @return the driver's name (for messages). */
    String name();

    /** Find and register this driver's devices. Called once per JVM, on first use of the ULP; must not throw. */
    void probe();
}
