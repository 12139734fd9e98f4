package org.nvmeof4j.host;

/**
 * Told about every Asynchronous Event of a controller ({@link NvmeController#addAsyncEventListener}). Called on the
 * controller's recovery thread after the host has handled the event (log page read, namespaces rescanned), so
 * {@link NvmeController#namespaces()} already shows the change. Do not block in it: the next event, and reconnects,
 * wait for it to return.
 */
@FunctionalInterface
public interface AsyncEventListener
{
    void onAsyncEvent(NvmeController controller, AsyncEventNotice notice);
}
