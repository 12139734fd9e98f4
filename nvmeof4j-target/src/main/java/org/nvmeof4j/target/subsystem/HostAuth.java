package org.nvmeof4j.target.subsystem;

import java.util.Objects;

import org.nvmeof4j.protocol.auth.AuthHash;
import org.nvmeof4j.protocol.auth.DhGroup;
import org.nvmeof4j.protocol.auth.DhchapSecret;

/**
 * The DH-HMAC-CHAP settings of one allowed host, as nvmet keeps them under {@code hosts/<hostnqn>/}:
 * {@code dhchap_key} (the host's secret), {@code dhchap_ctrl_key} (the controller's, for bidirectional
 * authentication; may be absent), {@code dhchap_hash} (default {@code hmac(sha256)}) and {@code dhchap_dhgroup}
 * (default {@code null}, no DH exchange). A host with settings must authenticate every queue before any other command.
 */
public final class HostAuth
{
    private final DhchapSecret key;
    private final DhchapSecret ctrlKey;
    private final AuthHash hash;
    private final DhGroup group;

    /**
     * @param key     {@code dhchap_key}, required
     * @param ctrlKey {@code dhchap_ctrl_key}, or null
     * @param hash    {@code dhchap_hash}, null for SHA-256
     * @param group   {@code dhchap_dhgroup}, null for none
     */
    public HostAuth(final DhchapSecret key, final DhchapSecret ctrlKey, final AuthHash hash, final DhGroup group)
    {
        this.key = Objects.requireNonNull(key, "dhchap_key");
        this.ctrlKey = ctrlKey;
        this.hash = hash == null ? AuthHash.SHA256 : hash;
        this.group = group == null ? DhGroup.NULL : group;
    }

    public DhchapSecret key()
    {
        return key;
    }

    public DhchapSecret ctrlKey()
    {
        return ctrlKey;
    }

    public AuthHash hash()
    {
        return hash;
    }

    public DhGroup group()
    {
        return group;
    }

    /** Never the keys. */
    @Override
    public String toString()
    {
        return "HostAuth{" + hash.nvmetName() + ", " + group.nvmetName() + (ctrlKey != null ? ", bidirectional" : "") +
            '}';
    }
}
