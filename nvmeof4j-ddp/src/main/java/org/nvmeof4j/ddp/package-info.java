/** ULP DDP: NVMe/TCP receive offload (direct data placement, data-digest CRC offload) and its reference devices. */
package org.nvmeof4j.ddp;
