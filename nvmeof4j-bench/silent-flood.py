#!/usr/bin/env python3
# Abusive peers against an NVMe/TCP port on 127.0.0.1, used to measure the target's connection limits beside an
# honest host (flood-compare.sh, docs/target.md). Two forms:
#
#   silent-flood.py PORT N HOLD [SRC=127.0.0.2]
#       opens N silent connections (no ICReq) from SRC, holds them HOLD seconds, reports how many the target closed.
#
#   silent-flood.py --hold PORT N [--mode silent|slowloris] [--sources K] [--seconds S] [--ready-file F]
#       keeps N connections open until SIGTERM/SIGINT (or S seconds), spread over the source addresses
#       127.0.0.2 .. 127.0.0.(K+1) (default K=4, so each stays under the target's default 1024 per address), and
#       re-opens each one the target drops. silent: never sends a byte. slowloris: sends an honest 128-byte ICReq
#       one byte per second per connection (the target's ICReq timeout should drop it long before it is complete).
#       Writes F once the first N are open. At the end prints one line: key=value counts (opened, dropped by the
#       target, connect errors, open now, bytes sent), and the longest time a drop waited for its re-connect.
import os, resource, selectors, signal, socket, struct, sys, time

h = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
resource.setrlimit(resource.RLIMIT_NOFILE, (h, h))


def legacy(argv):
    port = int(argv[0]); n = int(argv[1]); hold = float(argv[2]); src = argv[3] if len(argv) > 3 else '127.0.0.2'
    socks = []; refused = 0
    for _ in range(n):
        s = socket.socket(); s.bind((src, 0))
        try:
            s.connect(('127.0.0.1', port)); socks.append(s)
        except OSError:
            refused += 1
    print(f"flood: {len(socks)} silent connections open from {src} ({refused} connect errors)", flush=True)
    time.sleep(hold)
    alive = 0
    for s in socks:
        s.setblocking(False)
        try:
            d = s.recv(1)
            if d != b'':
                alive += 1
        except BlockingIOError:
            alive += 1
        except OSError:
            pass
    print(f"flood: after {hold}s, {alive} of {len(socks)} still open", flush=True)


# ICReq (NVMe/TCP 1.0, 3.6.2.2): type 0, flags 0, HLEN 128, PDO 0, PLEN 128, PFV 0, HPDA 0, digests off, MAXR2T 0
ICREQ = struct.pack('<BBBBIHBBI', 0x00, 0, 128, 0, 128, 0, 0, 0, 0).ljust(128, b'\0')


def hold(argv):
    port = int(argv[0]); n = int(argv[1]); rest = argv[2:]
    opt = {'--mode': 'silent', '--sources': '4', '--seconds': '0', '--ready-file': ''}
    for i in range(0, len(rest), 2):
        if rest[i] not in opt or i + 1 >= len(rest):
            sys.exit(f"silent-flood.py: unknown or incomplete option {rest[i]}")
        opt[rest[i]] = rest[i + 1]
    mode = opt['--mode']
    if mode not in ('silent', 'slowloris'):
        sys.exit(f"silent-flood.py: --mode must be silent or slowloris, not {mode}")
    sources = [f"127.0.0.{2 + i}" for i in range(int(opt['--sources']))]
    seconds = float(opt['--seconds'])
    sel = selectors.DefaultSelector()
    st = {'opened': 0, 'dropped': 0, 'connect_errors': 0, 'bytes_sent': 0}
    state = {}  # socket -> [connected?, bytes of the ICReq sent, source]
    lost_at = []  # times of drops still waiting for their re-connect
    worst_gap = [0.0]
    stop = [False]
    signal.signal(signal.SIGTERM, lambda *_: stop.__setitem__(0, True))
    signal.signal(signal.SIGINT, lambda *_: stop.__setitem__(0, True))

    def open_one(src):
        s = socket.socket(); s.setblocking(False); s.bind((src, 0))
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack('ii', 1, 0))  # close = RST: no TIME_WAIT pile
        err = s.connect_ex(('127.0.0.1', port))
        if err not in (0, 115):  # EINPROGRESS
            st['connect_errors'] += 1; s.close(); return False
        state[s] = [False, 0, src]
        sel.register(s, selectors.EVENT_WRITE | selectors.EVENT_READ)
        return True

    def close_one(s):
        sel.unregister(s); src = state.pop(s)[2]; s.close(); return src

    for i in range(n):
        open_one(sources[i % len(sources)])
    ready = False
    start = time.monotonic(); next_tick = start + 1.0
    while not stop[0] and (seconds <= 0 or time.monotonic() - start < seconds):
        now = time.monotonic()
        timeout = max(0.0, next_tick - now)
        for key, ev in sel.select(timeout):
            s = key.fileobj
            if s not in state:
                continue
            info = state[s]
            if not info[0]:
                err = s.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                if err != 0:
                    st['connect_errors'] += 1; src = close_one(s); open_one(src); continue
                info[0] = True; st['opened'] += 1
                sel.modify(s, selectors.EVENT_READ)
                if lost_at:
                    worst_gap[0] = max(worst_gap[0], time.monotonic() - lost_at.pop(0))
                continue
            try:
                d = s.recv(4096)
            except BlockingIOError:
                continue
            except OSError:
                d = b''
            if d == b'':  # the target dropped it (FIN or RST): open another in its place
                st['dropped'] += 1; lost_at.append(time.monotonic())
                src = close_one(s); open_one(src)
            # anything else (an ICResp after a completed slowloris ICReq, a TermReq) is read and ignored
        if not ready and st['opened'] >= n:
            ready = True
            if opt['--ready-file']:
                open(opt['--ready-file'], 'w').close()
            print(f"flood: {n} {mode} connections open from {len(sources)} addresses", flush=True)
        if time.monotonic() >= next_tick:
            next_tick += 1.0
            if mode == 'slowloris':
                for s, info in list(state.items()):
                    if info[0] and info[1] < len(ICREQ):
                        try:
                            s.send(ICREQ[info[1]:info[1] + 1]); info[1] += 1; st['bytes_sent'] += 1
                        except OSError:
                            pass  # the read side sees the drop
    open_now = sum(1 for v in state.values() if v[0])
    print(f"flood: mode={mode} target={n} opened={st['opened']} dropped={st['dropped']} "
          f"connect_errors={st['connect_errors']} open_now={open_now} bytes_sent={st['bytes_sent']} "
          f"worst_reconnect_s={worst_gap[0]:.2f} elapsed_s={time.monotonic() - start:.1f}", flush=True)


if __name__ == '__main__':
    if len(sys.argv) > 1 and sys.argv[1] == '--hold':
        hold(sys.argv[2:])
    elif len(sys.argv) >= 4:
        legacy(sys.argv[1:])
    else:
        sys.exit(__doc__ or "usage: silent-flood.py PORT N HOLD [SRC] | --hold PORT N [--mode silent|slowloris] ...")
