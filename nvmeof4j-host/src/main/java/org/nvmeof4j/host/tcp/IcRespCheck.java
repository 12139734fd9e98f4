package org.nvmeof4j.host.tcp;

import org.nvmeof4j.protocol.pdu.IcReqPdu;
import org.nvmeof4j.protocol.pdu.IcRespPdu;

/**
 * The host's checks of an ICResp (NVMe/TCP 3.6.2.3), as strict as the Linux host: PFV 0; the digest bits exactly
 * what we asked for; CPDA at most 31; MAXH2CDATA at least 4096 and a multiple of 4.
 */
public final class IcRespCheck
{
    /** Largest CPDA allowed (0's based dwords: data aligned to 128 bytes). */
    public static final int MAX_CPDA = 31;

    private IcRespCheck()
    {
    }

    /**
     * @return null if the ICResp is acceptable, else one line saying why not (with the offending field's offset).
     */
    public static String validate(final IcRespPdu icResp, final boolean hdgst, final boolean ddgst)
    {
        if (icResp.pfv() != 0)
        {
            return "ICResp PFV " + icResp.pfv() + " not supported (offset " + IcRespPdu.PFV_OFFSET + ")";
        }
        final int asked = (hdgst ? IcReqPdu.DGST_HDGST_ENABLE : 0) | (ddgst ? IcReqPdu.DGST_DDGST_ENABLE : 0);
        final int dgst = icResp.dgst() & 0x3;
        if (dgst != asked)
        {
            return "ICResp digests " + digests(dgst) + " differ from those requested (" + digests(asked) + ")";
        }
        if (icResp.cpda() > MAX_CPDA)
        {
            return "ICResp CPDA " + icResp.cpda() + " above " + MAX_CPDA;
        }
        final long maxh2cdata = icResp.maxh2cdata();
        if (maxh2cdata < IcRespPdu.MIN_MAXH2CDATA || (maxh2cdata & 3) != 0)
        {
            return "ICResp MAXH2CDATA " + maxh2cdata + " invalid (must be >= 4096 and a multiple of 4)";
        }
        return null;
    }

    private static String digests(final int dgst)
    {
        return dgst == 0 ? "none" : ((dgst & 1) != 0 ? "header" : "") + (dgst == 3 ? "+" : "") +
            ((dgst & 2) != 0 ? "data" : "");
    }
}
