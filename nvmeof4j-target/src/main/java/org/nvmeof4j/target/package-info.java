/** The NVMe/TCP target (controller side): subsystems, namespaces, backends, command handlers and listeners. */
package org.nvmeof4j.target;
