package org.nvmeof4j.host.spi;

import org.nvmeof4j.host.ConnectOptions;

/**
 * A host transport, the analog of Linux's {@code struct nvmf_transport_ops}: it has a name ({@code tcp}, the
 * {@code transport=} of a connect string), checks the options it needs, and creates the transport side of a
 * controller. Everything at the controller level (Fabrics Connect, enable, Identify, namespaces, keep-alive,
 * asynchronous events, timeouts, error recovery, the async and polled APIs) lives in
 * {@link org.nvmeof4j.host.NvmeController} and knows no transport.
 *
 * <p>Transports are found by name through {@link NvmeTransports}: a {@link java.util.ServiceLoader} entry
 * ({@code META-INF/services/org.nvmeof4j.host.spi.NvmeTransport}) or {@link NvmeTransports#register}, so a module
 * adds one without touching the host.
 */
public interface NvmeTransport
{
    /** @return the transport's name as nvme-cli writes it ({@code tcp}); lower case, unique. */
    String name();

    /**
     * Check the options before anything is created (Linux's {@code nvmf_check_required_opts} and
     * {@code allowed_opts}). Runs on the connecting thread; must not block.
     *
     * @throws IllegalArgumentException naming the option and why, in one line.
     */
    void validate(ConnectOptions options);

    /**
     * Create the transport side of one controller (seed 002's {@code setup_ctrl}). Cheap: no connection is opened
     * until {@link TransportController#connectQueue}.
     *
     * @param options validated, and owned by the controller from now on (do not change them).
     */
    TransportController createController(ConnectOptions options);
}
