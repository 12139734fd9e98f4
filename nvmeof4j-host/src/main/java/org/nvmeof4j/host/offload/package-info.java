/**
 * The {@code tcp_offload} transport (seed 002): the NVMe/TCP offload ULP ({@link
 * org.nvmeof4j.host.offload.TcpOffloadTransport}, {@link org.nvmeof4j.host.offload.NvmeTcpOfldQueue}) and the driver
 * SPI a full-offload device implements ({@link org.nvmeof4j.host.offload.NvmeTcpOfldOps},
 * {@link org.nvmeof4j.host.offload.NvmeTcpOfldDev}, {@link org.nvmeof4j.host.offload.NvmeTcpOfldReq}); devices are
 * registered in {@link org.nvmeof4j.host.offload.NvmeTcpOffload}. The reference device is the
 * {@code nvmeof4j-offload} module's engine.
 */
package org.nvmeof4j.host.offload;
