package org.nvmeof4j.host;

import java.util.List;
import org.nvmeof4j.protocol.admin.AsyncEvent;

/**
 * One Asynchronous Event the controller reported (NVMe Base 2.0, 5.2), after the host handled it: the log page the
 * event names has been read (which re-enables the event), and for a namespace attribute change the controller's
 * namespaces have been rescanned.
 *
 * @param dw0               completion DW0 of the Asynchronous Event Request (type, information, log page).
 * @param changedNamespaces for a namespace attribute change: the NSIDs of the Changed Namespace List, in increasing
 *                          order; empty for other events, or when the list overflowed.
 * @param overflowed        the Changed Namespace List overflowed (more than 1024 changes): every namespace was
 *                          rescanned.
 */
public record AsyncEventNotice(int dw0, List<Integer> changedNamespaces, boolean overflowed)
{
    public AsyncEventNotice
    {
        changedNamespaces = List.copyOf(changedNamespaces);
    }

    /** Event type, bits 2:0 ({@link AsyncEvent#TYPE_NOTICE}, ...). */
    public int type()
    {
        return AsyncEvent.type(dw0);
    }

    /** Event information, bits 15:8. */
    public int info()
    {
        return AsyncEvent.info(dw0);
    }

    /** Log page identifier, bits 23:16. */
    public int logPage()
    {
        return AsyncEvent.logPage(dw0);
    }

    /** True for a namespace attribute change (notice 00h). */
    public boolean isNamespaceAttributeChanged()
    {
        return type() == AsyncEvent.TYPE_NOTICE && info() == AsyncEvent.NOTICE_NAMESPACE_ATTRIBUTE_CHANGED;
    }

    @Override
    public String toString()
    {
        return "AsyncEventNotice[type=" + type() + ", info=0x" + Integer.toHexString(info()) + ", lid=0x" +
            Integer.toHexString(logPage()) + ", changedNamespaces=" + changedNamespaces + "]";
    }
}
