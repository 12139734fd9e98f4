package org.nvmeof4j.target.tools;

import org.nvmeof4j.target.Target;

/** Manual runner for experiments: {@code RunTarget PORT NQN MIB}. */
public final class RunTarget
{
    private RunTarget()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final int port = Integer.parseInt(args[0]);
        final String nqn = args[1];
        final long mib = Long.parseLong(args[2]);
        final Target t = Target.builder().listen("127.0.0.1", port)
            .subsystem(s -> s.nqn(nqn).allowAnyHost().ramNamespace(1, mib << 20)).build().start();
        System.out.println("listening on " + t.boundPort());
        Thread.sleep(Long.MAX_VALUE);
    }
}
