#!/usr/bin/env bash
# Wireshark's NVMe/TCP dissector (tshark) as an independent judge of our wire
# format: runs `nvmeof4j target` (RAM namespace, free port on 127.0.0.1) and
# the nvmeof4j host commands against it, with and without header/data
# digests, captures the loopback traffic and decodes it with tshark.
# Prints one "WIRESHARK PASS|FAIL <check>: <detail>" line per check and
# "WIRESHARK SUMMARY passed=N failed=M"; exits 0 only if failed=0.
set -euo pipefail

. "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

usage() {
    cat <<EOF
Usage: $interop_prog [--keep DIR] [--no-install] [--perf-time S] [--transport T]
       $interop_prog --pcap FILE --port PORT      (decode an existing capture only)

Installs tshark if it is missing (apt-get, root), starts \`nvmeof4j target\`
on a free port, captures \`tshark -i lo -f "tcp port PORT"\` while discover,
id-ctrl, write (in-capsule and R2T/H2CData), read (4 KiB and 256 KiB C2HData)
and a short perf run (keep-alive timeout 1 s) run once plain and once with
--hdr-digest --data-digest, then checks the decode: no malformed frames, no
warning/error expert info from NVMe/TCP or NVMe, digests verified good, every
TCP payload byte inside a decoded PDU, every data PDU matched to its command,
and the expected PDU types and commands present.

  --keep DIR       keep the capture and logs in DIR (default: a temporary
                   directory, removed at the end)
  --no-install     do not try to install tshark
  --perf-time S    seconds of each perf run (default 2; keep-alives are sent
                   every 0.5 s)
  --transport T    host transport of the commands: tcp (default) or
                   tcp_offload (the reference offload engine, whose wire must
                   be the same)
  --pcap FILE      only decode FILE (NVMe/TCP on --port PORT)
  -h, --help       this text

Environment: NVMEOF4J_CLI_CLASSPATH=CP runs the CLI as
\`java -cp CP org.nvmeof4j.cli.Nvmeof4j\` instead of ./nvmeof4j (the JUnit
test does this); NVMEOF4J_JAVA_OPTS as for ./nvmeof4j.

Exit status: 0 all checks passed; 1 a check failed; 2 usage error;
4 setup problem (the CLI or the target did not start);
5 tshark is not available or may not capture on lo (callers may skip).
EOF
}

keep="" no_install=0 perf_time=2 pcap_in="" port="" transport=tcp
need_arg() { (( $2 >= 2 )) || { usage >&2; die "$1 needs a value" 2; }; }
while (( $# )); do
    case "$1" in
        --keep) need_arg "$1" $#; keep="$2"; shift ;;
        --no-install) no_install=1 ;;
        --perf-time) need_arg "$1" $#; perf_time="$2"; shift ;;
        --transport) need_arg "$1" $#; transport="$2"; shift ;;
        --pcap) need_arg "$1" $#; pcap_in="$2"; shift ;;
        --port) need_arg "$1" $#; port="$2"; shift ;;
        -h|--help) usage; exit 0 ;;
        *) usage >&2; die "unknown argument: $1" 2 ;;
    esac
    shift
done
is_uint "$perf_time" && (( perf_time >= 1 && perf_time <= 60 )) || die "bad --perf-time '$perf_time'" 2
[[ "$transport" == tcp || "$transport" == tcp_offload ]] || die "bad --transport '$transport' (tcp, tcp_offload)" 2
if [[ -n "$pcap_in" ]]; then
    [[ -r "$pcap_in" ]] || die "cannot read $pcap_in" 2
    valid_port "$port" || die "--pcap needs --port PORT" 2
elif [[ -n "$port" ]]; then
    die "--port is only for --pcap (the target picks a free port)" 2
fi

# ---- tshark ----------------------------------------------------------------
ensure_tshark() {
    command -v tshark >/dev/null && return 0
    (( ! no_install )) || die "tshark not found (and --no-install)" 5
    (( EUID == 0 )) || die "tshark not found; install it (apt-get install tshark) or run this as root" 5
    # wireshark-common asks whether non-root users may capture: answer no.
    if command -v debconf-set-selections >/dev/null; then
        echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
    fi
    local apt=(env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends
               -o DPkg::Lock::Timeout=300 tshark)
    log "apt-get install tshark"
    if ! "${apt[@]}" >&2; then
        log "apt-get update"
        apt-get update -q >&2 || die "apt-get update failed" 5
        "${apt[@]}" >&2 || die "apt-get install tshark failed" 5
    fi
    command -v tshark >/dev/null || die "tshark not found after installing it" 5
}
ensure_tshark

# ---- the checks --------------------------------------------------------------
passed=0 failed=0
pass() { passed=$((passed + 1)); echo "WIRESHARK PASS $1: $2"; }
fail() { failed=$((failed + 1)); echo "WIRESHARK FAIL $1: $2"; }
check() { # NAME OK(0/1) DETAIL
    if (( $2 )); then pass "$1" "$3"; else fail "$1" "$3"; fi
}

# analyse PCAP PORT OUTDIR: decodes the capture and runs every decode check.
analyse() {
    local pcap="$1" p="$2" out="$3"
    # Digest verification is off by default in the dissector; TCP reassembly
    # is needed because PDUs span segments (loopback MTU 64 KiB, reads of
    # 256 KiB).
    local decode=(-n -d "tcp.port==$p,nvme-tcp" -o tcp.desegment_tcp_streams:TRUE
                  -o nvme-tcp.check_hdgst:TRUE -o nvme-tcp.check_ddgst:TRUE)
    local fields=(frame.number tcp.stream tcp.len tcp.analysis.retransmission _ws.malformed
                  nvme-tcp.type nvme-tcp.flags nvme-tcp.hlen nvme-tcp.plen
                  nvme-tcp.hdgst.status nvme-tcp.ddgst.status nvme-tcp.icresp.digest
                  nvme-tcp.cmd.qid nvme.cmd.opc nvme.fabrics.cmd.fctype
                  nvme.cmd.get_logpage.dword10.id nvme.cmd.sgl.subtype
                  nvme-tcp.data.length nvme-tcp.r2t.length nvme-tcp.unknown_data)
    local eargs=() f
    for f in "${fields[@]}"; do eargs+=(-e "$f"); done
    if ! tshark -r "$pcap" "${decode[@]}" -T fields -E separator='|' -E occurrence=a \
            "${eargs[@]}" > "$out/fields.txt" 2> "$out/tshark-fields.err"; then
        fail decode "tshark -T fields failed: $(sed -n 1p "$out/tshark-fields.err")"
        return 0
    fi
    if ! tshark -r "$pcap" "${decode[@]}" -q -z expert,warn > "$out/expert.txt" 2> "$out/tshark-expert.err"; then
        fail decode "tshark -z expert failed: $(sed -n 1p "$out/tshark-expert.err")"
        return 0
    fi

    # Expert info of severity warning or error, attributed to NVMe/TCP or
    # NVMe (TCP's own notes, e.g. "window full", are not about our format).
    local expert
    expert="$(awk '
        /^[A-Z][a-z]+ \([0-9]+\)/ { sev = ($1 == "Errors" || $1 == "Warns") ? $1 : ""; next }
        /^ *Frequency +Group +Protocol +Summary/ { col = index($0, "Summary"); next }
        sev != "" && col > 0 && /^ +[0-9]+ / {
            head = substr($0, 1, col - 1); n = split(head, w, " "); proto = w[n]
            if (proto == "NVMe/TCP" || proto == "NVMe") {
                printf "%s%s x%s %s: %s", sep, sev, $1, proto, substr($0, col); sep = "; "
            }
        }' "$out/expert.txt")"
    check expert "$([[ -z "$expert" ]] && echo 1 || echo 0)" \
        "${expert:-no warning/error expert info from NVMe/TCP or NVMe}"

    # Everything else comes from one pass over the per-frame fields; a frame
    # can hold several PDUs, so the per-PDU fields are comma lists.
    awk -F'|' '
        function hex(s,   i, c, v) {
            v = 0; s = tolower(s); sub(/^0x/, "", s)
            for (i = 1; i <= length(s); i++) { c = index("0123456789abcdef", substr(s, i, 1)); v = v * 16 + c - 1 }
            return v
        }
        function add(name, detail) { nl++; line[nl] = name "|" detail }
        function firstframes(key,   s) { s = bad[key]; return s == "" ? "" : " (frames " s ")" }
        function note(key, fr) { cnt[key]++; if (cnt[key] <= 5) bad[key] = bad[key] (bad[key] == "" ? "" : ",") fr }
        {
            fr = $1; st = $2; tlen = $3 + 0; retr = $4; malformed = $5
            frames++
            if (malformed != "") note("malformed", fr)
            if (retr == "") payload[st] += tlen
            if ($6 == "") next
            nt = split($6, ty, ","); split($7, fl, ","); split($8, hl, ","); split($9, pl, ",")
            for (i = 1; i <= nt; i++) {
                t = ty[i] + 0; pdus[t]++; pdubytes[st] += pl[i]
                flags = hex(fl[i])
                if (t == 1 && $12 != "") digest[st] = $12 + 0
                if (t >= 2) {
                    # Each PDU after ICReq/ICResp carries HDGST iff header
                    # digests were negotiated, DDGST iff data digests were and
                    # it has data (NVMe/TCP 1.0, 3.6.2 and 3.6.3).
                    d = digest[st]; hd = flags % 2; dd = int(flags / 2) % 2
                    hasdata = pl[i] > hl[i] + (hd ? 4 : 0)
                    if (hd != d % 2) note("hdgst-flag", fr)
                    if (dd != (hasdata && int(d / 2) % 2 ? 1 : 0)) note("ddgst-flag", fr)
                    if (d % 2) dstreams_h[st] = 1
                }
                if (t == 2 || t == 3) note("termreq", fr)
            }
            n = split($10, hs, ","); for (i = 1; i <= n; i++) { hst[hs[i]]++; if (hs[i] != "1") note("hdgst", fr) }
            n = split($11, ds, ","); for (i = 1; i <= n; i++) { dst[ds[i]]++; if (ds[i] != "1") note("ddgst", fr) }
            split($13, q, ","); qid = q[1]
            if ($15 != "") { n = split($15, fc, ","); for (i = 1; i <= n; i++) fct[fc[i]]++ }
            if ($14 != "" && qid == "0x0000") { n = split($14, op, ","); for (i = 1; i <= n; i++) admin[op[i]]++ }
            if ($14 != "" && qid != "0x0000" && qid != "") {
                n = split($14, op, ","); split($17, sg, ",")
                for (i = 1; i <= n; i++) { io[op[i]]++; if (op[i] == "0x01") wsgl[sg[i]]++ }
            }
            if ($16 != "") { n = split($16, lid, ","); for (i = 1; i <= n; i++) lids[lid[i]]++ }
            if ($18 != "") {
                n = split($18, dl, ","); k = 0
                for (i = 1; i <= nt; i++) {
                    t = ty[i] + 0
                    if (t != 6 && t != 7) continue
                    k++; len = dl[k] + 0
                    if (t == 7) { c2h++; if (len <= 4096) c2hsmall++; if (len >= 131072) c2hlarge++; if (len > c2hmax) c2hmax = len }
                    if (t == 6) { h2c++; h2cbytes += len }
                }
            }
            if ($19 != "") { n = split($19, rl, ","); for (i = 1; i <= n; i++) r2tbytes += rl[i] }
            if ($20 != "") note("unpaired", fr)
        }
        END {
            print "frames|" frames
            ok = cnt["malformed"] == 0
            print "CHECK|malformed|" ok "|" (ok ? "no frame has _ws.malformed (" frames " frames)" : cnt["malformed"] " malformed frames" firstframes("malformed"))

            # every TCP payload byte (retransmissions aside) lies in a decoded PDU
            mism = ""; ns = 0
            for (s in payload) { ns++; if (payload[s] != pdubytes[s] + 0) mism = mism " stream " s ": payload " payload[s] " B, PDUs " pdubytes[s] + 0 " B;" }
            print "CHECK|pdu-coverage|" (mism == "") "|" (mism == "" ? "TCP payload = sum of PDU lengths on all " ns " connections" : mism)

            ok = cnt["unpaired"] == 0
            print "CHECK|pdu-pairing|" ok "|" (ok ? "every data PDU and response matched a command (no nvme-tcp.unknown_data)" : cnt["unpaired"] " frames with nvme-tcp.unknown_data" firstframes("unpaired"))

            split("0 ICReq 1 ICResp 4 CapsuleCmd 5 CapsuleResp 6 H2CData 7 C2HData 9 R2T", nm, " ")
            for (i = 1; i < 14; i += 2) {
                t = nm[i] + 0; c = pdus[t] + 0
                print "CHECK|pdu-" nm[i + 1] "|" (c > 0) "|" c " PDUs (nvme-tcp.type == " t ")"
            }
            ok = cnt["termreq"] == 0
            print "CHECK|no-termreq|" ok "|" (ok ? "no H2CTermReq/C2HTermReq" : cnt["termreq"] " TermReq PDUs" firstframes("termreq"))

            print "CHECK|cmd-connect|" (fct["0x01"] > 0) "|" fct["0x01"] + 0 " Connect"
            print "CHECK|cmd-property-get|" (fct["0x04"] > 0) "|" fct["0x04"] + 0 " Property Get"
            print "CHECK|cmd-property-set|" (fct["0x00"] > 0) "|" fct["0x00"] + 0 " Property Set"
            print "CHECK|cmd-identify|" (admin["0x06"] > 0) "|" admin["0x06"] + 0 " Identify on admin queues"
            print "CHECK|cmd-discovery-log|" (lids["112"] > 0) "|" lids["112"] + 0 " Get Log Page, LID 0x70 (discovery)"
            print "CHECK|cmd-keep-alive|" (admin["0x18"] > 0) "|" admin["0x18"] + 0 " Keep Alive"
            print "CHECK|write-in-capsule|" (wsgl["0x01"] > 0) "|" wsgl["0x01"] + 0 " Writes with an in-capsule SGL (data block, offset)"
            print "CHECK|write-r2t|" (wsgl["0x0a"] > 0 && pdus[9] > 0 && h2cbytes == r2tbytes) "|" wsgl["0x0a"] + 0 " Writes with a transport SGL; " pdus[9] + 0 " R2Ts asking " r2tbytes + 0 " B, " h2c + 0 " H2CData carrying " h2cbytes + 0 " B"
            print "CHECK|read-c2hdata|" (io["0x02"] > 0 && c2hsmall > 0 && c2hlarge > 0) "|" io["0x02"] + 0 " Reads; " c2h + 0 " C2HData, " c2hsmall + 0 " of <= 4 KiB, " c2hlarge + 0 " of >= 128 KiB (largest " c2hmax + 0 " B)"

            ok = hst["1"] > 0 && cnt["hdgst"] == 0
            print "CHECK|hdr-digest|" ok "|" hst["1"] + 0 " good, " hst["0"] + 0 " bad, " hst["2"] + 0 " unverified (nvme-tcp.hdgst.status)" firstframes("hdgst")
            ok = dst["1"] > 0 && cnt["ddgst"] == 0
            print "CHECK|data-digest|" ok "|" dst["1"] + 0 " good, " dst["0"] + 0 " bad, " dst["2"] + 0 " unverified (nvme-tcp.ddgst.status)" firstframes("ddgst")
            nd = 0; for (s in dstreams_h) nd++
            ok = cnt["hdgst-flag"] == 0 && cnt["ddgst-flag"] == 0 && nd > 0
            print "CHECK|digest-flags|" ok "|" (ok ? "HDGST/DDGST flags match the ICResp on every PDU (" nd " digest connections)" : "flags disagree with the ICResp digest setting" firstframes("hdgst-flag") firstframes("ddgst-flag"))
        }' "$out/fields.txt" > "$out/checks.txt"

    local name ok detail
    while IFS='|' read -r tag name ok detail; do
        [[ "$tag" == CHECK ]] || continue
        check "$name" "$ok" "$detail"
    done < "$out/checks.txt"
}

finish() {
    echo "WIRESHARK SUMMARY passed=$passed failed=$failed"
    (( failed == 0 ))
}

if [[ -n "$pcap_in" ]]; then
    out="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-wireshark.XXXXXX")"
    trap 'rm -rf "$out"' EXIT
    analyse "$pcap_in" "$port" "$out"
    finish
    exit $?
fi

# ---- capture run -------------------------------------------------------------
started=$SECONDS
if [[ -n "$keep" ]]; then
    mkdir -p "$keep"
    work="$(cd "$keep" && pwd)"
else
    work="$(mktemp -d "${TMPDIR:-/tmp}/nvmeof4j-wireshark.XXXXXX")"
fi
target_pid="" tshark_pid=""
cleanup() {
    [[ -n "$tshark_pid" ]] && kill -TERM "$tshark_pid" 2>/dev/null || true
    [[ -n "$target_pid" ]] && kill -TERM "$target_pid" 2>/dev/null || true
    [[ -n "$tshark_pid" ]] && wait "$tshark_pid" 2>/dev/null || true
    [[ -n "$target_pid" ]] && wait "$target_pid" 2>/dev/null || true
    [[ -n "$keep" ]] || rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM HUP

# Short-lived JVMs on a shared machine: C1 only, serial GC.
export NVMEOF4J_JAVA_OPTS="${NVMEOF4J_JAVA_OPTS:--XX:+UseSerialGC -XX:TieredStopAtLevel=1 -Xms64m}"
# builds the jar now if needed, not while capturing
interop_cli "$work"

NQN="nqn.2024-01.org.nvmeof4j:wireshark"
# Explicit sizes, so that the transfers below take the intended paths:
# up to 8 KiB in-capsule, larger writes by R2T + H2CData of at most 128 KiB.
INLINE=8192
MAXH2C=131072
interop_start_target "$work/target.log" "${cli[@]}" target --listen 127.0.0.1 --port 0 --nqn "$NQN" --ram-mib 64 \
    --inline-data-size "$INLINE" --max-h2c-data "$MAXH2C"
log "target on 127.0.0.1:$port ($NQN); host transport $transport"

pcap="$work/nvme-tcp.pcapng"
: > "$work/tshark-capture.log"
tshark -i lo -B 32 -f "tcp port $port" -w "$pcap" -q > "$work/tshark-capture.log" 2>&1 &
tshark_pid=$!
for _ in $(seq 1 200); do
    [[ -s "$pcap" ]] && break
    if ! kill -0 "$tshark_pid" 2>/dev/null; then
        wait "$tshark_pid" 2>/dev/null || true
        tshark_pid=""
        die "tshark cannot capture on lo: $(sed -n '/^tshark: ./{p;q}' "$work/tshark-capture.log")" 5
    fi
    sleep 0.1
done
[[ -s "$pcap" ]] || die "tshark wrote nothing to $pcap within 20 s" 5
sleep 0.5

head -c 4096 /dev/urandom > "$work/w4k.bin"
head -c 262144 /dev/urandom > "$work/w256k.bin"
runs_ok=0 runs_failed=()
run() { # LABEL ARGS...
    local label="$1"; shift
    if "${cli[@]}" "$@" >> "$work/cli.log" 2>&1; then
        runs_ok=$((runs_ok + 1))
    else
        runs_failed+=("$label")
    fi
}
conn=(-t "$transport" -a 127.0.0.1 -s "$port")
for mode in plain digest; do
    dg=()
    [[ "$mode" == digest ]] && dg=(--hdr-digest --data-digest)
    echo "== $mode" >> "$work/cli.log"
    run "discover/$mode" discover "${conn[@]}" "${dg[@]}"
    run "id-ctrl/$mode" id-ctrl "${conn[@]}" -n "$NQN" "${dg[@]}"
    run "write-4k/$mode" write "${conn[@]}" -n "$NQN" "${dg[@]}" --start-block 0 --block-count 8 --data "$work/w4k.bin"
    run "write-256k/$mode" write "${conn[@]}" -n "$NQN" "${dg[@]}" --start-block 1024 --block-count 512 --data "$work/w256k.bin"
    run "read-4k/$mode" read "${conn[@]}" -n "$NQN" "${dg[@]}" --start-block 0 --block-count 8 --data "$work/r4k-$mode.bin"
    run "read-256k/$mode" read "${conn[@]}" -n "$NQN" "${dg[@]}" --start-block 1024 --block-count 512 --data "$work/r256k-$mode.bin"
    cmp -s "$work/w4k.bin" "$work/r4k-$mode.bin" || runs_failed+=("read-4k/$mode data differs")
    cmp -s "$work/w256k.bin" "$work/r256k-$mode.bin" || runs_failed+=("read-256k/$mode data differs")
    # QD 1 of 4 KiB paced at 800 IOPS: about 1,600 commands per mode, whatever the
    # machine's speed, while the admin queue sends a Keep Alive every 0.5 s (KATO
    # 1 s). Two reasons to pace. Unpaced, a quiet machine wrote 665 MiB. And
    # tshark 4.0.17 (Debian 12) segfaults inside its NVMe/TCP dissector
    # (wmem_alloc under tcp_dissect_pdus) on long captures once command IDs that
    # carry the generation bits (gen << 12 | slot, as Linux builds them) start to
    # repeat on a queue. Staying under 127 slots x 16 generations = 2,032
    # commands per queue avoided it in every run here; 20,000 crashed 3 runs of 4.
    run "perf/$mode" perf "${conn[@]}" -n "$NQN" "${dg[@]}" -w randrw -o 4096 -q 1 --rate 800 \
        --time "$perf_time" --warmup 0 --keep-alive-tmo 1 --no-progress --range-mib 16
done

sleep 0.5
kill -TERM "$tshark_pid" 2>/dev/null || true
wait "$tshark_pid" 2>/dev/null || true
tshark_pid=""
kill -TERM "$target_pid" 2>/dev/null || true
wait "$target_pid" 2>/dev/null || true
target_pid=""

nruns=$(( runs_ok + ${#runs_failed[@]} ))
if (( ${#runs_failed[@]} == 0 )); then
    pass runs "$runs_ok CLI runs succeeded, data read back unchanged"
else
    fail runs "failed: ${runs_failed[*]} (of $nruns; see cli.log)"
    sed -n '1,40p' "$work/cli.log" >&2
fi
captured="$(sed -n 's/^\([0-9][0-9]*\) packets\{0,1\} captured.*/\1/p' "$work/tshark-capture.log" | sed -n 1p)"
dropped="$(sed -n 's/.*\b\([0-9][0-9]*\) packets\{0,1\} dropped.*/\1/p' "$work/tshark-capture.log" | sed -n 1p)"
size="$(stat -c %s "$pcap")"
check capture "$([[ -n "$captured" && "${dropped:-0}" == 0 ]] && echo 1 || echo 0)" \
    "${captured:-?} packets, ${dropped:-0} dropped, $(( size / 1048576 )) MiB, port $port"
analyse "$pcap" "$port" "$work"
log "took $(( SECONDS - started )) s${keep:+; capture and logs in $work}"
finish
