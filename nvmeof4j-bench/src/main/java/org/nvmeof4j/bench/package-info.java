/** JMH benchmarks of the data path. */
package org.nvmeof4j.bench;
