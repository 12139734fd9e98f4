package org.nvmeof4j.host;

/** The host's time source for timeouts, keep-alive and reconnect: {@link System#nanoTime()} unless a test injects one. */
@FunctionalInterface
public interface NanoClock
{
    NanoClock SYSTEM = System::nanoTime;

    long nanoTime();
}
