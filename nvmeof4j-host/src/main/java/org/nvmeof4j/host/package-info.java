/** The NVMe/TCP host (initiator): controllers, I/O queues, namespaces, discovery and transports. */
package org.nvmeof4j.host;
