package io.scaledapi.nodeagent;

import java.util.HashSet;
import java.util.Set;

/** Gives each pod a loopback address of its own, from 127.0.10.2 up, and takes it back when the pod goes. */
final class LoopbackAddresses {

    private final Set<String> inUse = new HashSet<>();

    synchronized String allocate() {
        for (int third = 10; third < 200; third++) {
            for (int fourth = 2; fourth < 255; fourth++) {
                String ip = "127.0." + third + "." + fourth;
                if (inUse.add(ip)) {
                    return ip;
                }
            }
        }
        throw new IllegalStateException("no loopback address left");
    }

    synchronized void release(String ip) {
        inUse.remove(ip);
    }
}
