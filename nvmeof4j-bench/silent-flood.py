#!/usr/bin/env python3
# Opens N silent TCP connections (no ICReq) from SRC to 127.0.0.1:PORT, holds them HOLD seconds, then reports how
# many the target has closed. Used to measure the connection limits beside an honest host (docs/target.md).
#   nvmeof4j-bench/silent-flood.py PORT N HOLD [SRC=127.0.0.2]
import socket, sys, time, resource
h=resource.getrlimit(resource.RLIMIT_NOFILE)[1]; resource.setrlimit(resource.RLIMIT_NOFILE, (h, h))
port=int(sys.argv[1]); n=int(sys.argv[2]); hold=float(sys.argv[3]); src=sys.argv[4] if len(sys.argv)>4 else '127.0.0.2'
socks=[]; refused=0
for i in range(n):
    s=socket.socket(); s.bind((src,0))
    try:
        s.connect(('127.0.0.1',port)); socks.append(s)
    except OSError:
        refused+=1
print(f"flood: {len(socks)} silent connections open from {src} ({refused} connect errors)", flush=True)
time.sleep(hold)
alive=0
for s in socks:
    s.setblocking(False)
    try:
        d=s.recv(1)
        if d != b'': alive+=1
    except BlockingIOError:
        alive+=1
    except OSError:
        pass
print(f"flood: after {hold}s, {alive} of {len(socks)} still open", flush=True)
