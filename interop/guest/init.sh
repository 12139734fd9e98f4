#!/bin/busybox sh
# /init of the nvmeof4j interop guests (PID 1, busybox ash).
# Put into each run's initramfs by interop/lib/common.sh together with
# /etc/interop.conf, which sets MODE=host|target and that mode's parameters.
# Everything it prints goes to the serial console, i.e. the run's log file.

export PATH=/bin:/sbin:/usr/bin:/usr/sbin
/bin/busybox mkdir -p /proc /sys /dev /tmp /run
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/console >/dev/console 2>&1
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
echo /sbin/modprobe > /proc/sys/kernel/modprobe

. /etc/interop.conf

say() { echo "interop-guest: $*"; }

halt_now() {
    sync
    poweroff -f
    sleep 5
    echo o > /proc/sysrq-trigger
}

T0=$(cut -d' ' -f1 /proc/uptime)
say "kernel $(uname -r), mode $MODE, up ${T0}s"

load_modules() {
    for m in $(cat /etc/interop-modules); do
        case "$m" in brd) continue ;; esac
        modprobe "$m" 2>/tmp/modprobe.err || say "modprobe $m failed: $(cat /tmp/modprobe.err)"
    done
}

net_up() {
    ip link set lo up
    i=0
    while [ ! -e /sys/class/net/eth0 ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    ip link set eth0 up
    ip addr add 10.0.2.15/24 dev eth0
    # deliberately no default route: only 10.0.2.0/24 (10.0.2.2 = the
    # machine's 127.0.0.1) is reachable.
}

load_modules
net_up

# ---------------------------------------------------------------------------
# target mode: Linux nvmet-tcp on a brd RAM disk, port 4420, any host
# ---------------------------------------------------------------------------
run_target() {
    tfail() { echo "INTEROP TARGET FAIL $*"; dmesg | tail -n 30; halt_now; }
    modprobe brd rd_nr=1 rd_size=$((SIZE_MIB * 1024)) max_part=0 || tfail "modprobe brd"
    [ -b /dev/ram0 ] || tfail "no /dev/ram0"
    mkdir -p /sys/kernel/config
    grep -q ' /sys/kernel/config ' /proc/mounts || mount -t configfs configfs /sys/kernel/config || tfail "mount configfs"
    cfg=/sys/kernel/config/nvmet
    [ -d $cfg ] || tfail "no $cfg"
    s=$cfg/subsystems/$NQN
    mkdir "$s" || tfail "mkdir subsystem"
    echo 1 > "$s/attr_allow_any_host" || tfail "allow_any_host"
    [ -n "${SERIAL:-}" ] && echo "$SERIAL" > "$s/attr_serial"
    if [ -n "${DHCHAP_HOST:-}" ]; then
        # one allowed host that must authenticate (nvmet's per-host DH-HMAC-CHAP attributes)
        echo 0 > "$s/attr_allow_any_host" || tfail "allow_any_host 0"
        h=$cfg/hosts/$DHCHAP_HOST
        mkdir "$h" || tfail "mkdir host"
        echo "$DHCHAP_KEY" > "$h/dhchap_key" || tfail "dhchap_key"
        [ -n "${DHCHAP_CTRL_KEY:-}" ] && { echo "$DHCHAP_CTRL_KEY" > "$h/dhchap_ctrl_key" || tfail "dhchap_ctrl_key"; }
        [ -n "${DHCHAP_HASH:-}" ] && { echo "$DHCHAP_HASH" > "$h/dhchap_hash" || tfail "dhchap_hash"; }
        [ -n "${DHCHAP_DHGROUP:-}" ] && { echo "$DHCHAP_DHGROUP" > "$h/dhchap_dhgroup" || tfail "dhchap_dhgroup"; }
        ln -s "$h" "$s/allowed_hosts/$DHCHAP_HOST" || tfail "allowed_hosts link"
        echo "  DH-HMAC-CHAP host $DHCHAP_HOST: hash $(cat $h/dhchap_hash) dhgroup $(cat $h/dhchap_dhgroup)"
    fi
    mkdir "$s/namespaces/1" || tfail "mkdir namespace"
    echo /dev/ram0 > "$s/namespaces/1/device_path" || tfail "device_path"
    echo 1 > "$s/namespaces/1/enable" || tfail "enable namespace"
    p=$cfg/ports/1
    mkdir "$p" || tfail "mkdir port"
    echo tcp > "$p/addr_trtype"
    echo ipv4 > "$p/addr_adrfam"
    echo 0.0.0.0 > "$p/addr_traddr"
    echo 4420 > "$p/addr_trsvcid"
    ln -s "$s" "$p/subsystems/$NQN" || tfail "link subsystem to port"
    i=0
    while ! netstat -ltn 2>/dev/null | grep -q ':4420 '; do
        i=$((i + 1)); [ $i -gt 50 ] && tfail "nothing listens on 4420"
        sleep 0.1
    done
    echo "INTEROP TARGET INFO nqn=$NQN size_mib=$SIZE_MIB listen=0.0.0.0:4420 kernel=$(uname -r)"
    echo "INTEROP TARGET READY"
    # From now on every kernel message (nvmet connects, errors) goes to the
    # console, i.e. the log.
    echo 8 > /proc/sys/kernel/printk
    while true; do sleep 3600; done
}

# ---------------------------------------------------------------------------
# host mode: Linux nvme-tcp against 10.0.2.2:PORT
# ---------------------------------------------------------------------------
PASSED=0
FAILED=0
uptime_s() { cut -d' ' -f1 /proc/uptime; }
TMARK=$(uptime_s)
# log how long the check took (not an INTEROP line) and restart the clock
took() {
    now=$(uptime_s)
    echo "  $1 took $(awk -v a="$TMARK" -v b="$now" 'BEGIN { printf "%.1f", b - a }') s"
    TMARK=$now
}
pass() { echo "INTEROP PASS $1"; PASSED=$((PASSED + 1)); took "$1"; }
fail() { echo "INTEROP FAIL $1: $2"; FAILED=$((FAILED + 1)); took "$1"; }
info() { echo "INTEROP INFO $*"; }
# indent a command's output into the log (not parsed)
show() { sed 's/^/  | /'; }
oneline() { tr '\n' ' ' | sed 's/  */ /g' | cut -c1-300; }

MIB=1048576
# pattern FILE TAG BYTES: reproducible data, every 32-byte record unique
# (run nonce + tag + record number), so misplaced or stale blocks show.
pattern() {
    awk -v tag="$NONCE-$2" -v n=$(($3 / 128)) 'BEGIN {
        f = "%-21.21s%010d\n"; f = f f f f
        for (i = 0; i < 4 * n; i += 4) printf f, tag, i, tag, i + 1, tag, i + 2, tag, i + 3
    }' > "$1"
}
md5() { md5sum | cut -d' ' -f1; }

# direct_rw NAME WRITE_BS READ_BS OFFSET_MIB SIZE_MIB
direct_rw() {
    name=$1 wbs=$2 rbs=$3 off=$(($4 * MIB)) size=$(($5 * MIB))
    f=/tmp/pat-$name
    pattern "$f" "$name" $size
    want=$(md5 < "$f")
    echo "  $name: pattern ready at $(uptime_s) s"
    echo "$want" > /tmp/md5-$name
    if ! dd if="$f" of="$DEV" bs=$wbs seek=$((off / wbs)) count=$((size / wbs)) \
            oflag=direct conv=notrunc 2>/tmp/dd.err; then
        fail "$name" "O_DIRECT write bs=$wbs failed: $(oneline < /tmp/dd.err)"
        rm -f "$f"; return
    fi
    got=$(dd if="$DEV" bs=$rbs skip=$((off / rbs)) count=$((size / rbs)) iflag=direct 2>/tmp/dd.err | md5)
    if [ "$got" = "$want" ]; then
        pass "$name"
    else
        fail "$name" "read-back md5 $got != written $want (write bs=$wbs, read bs=$rbs, offset $off, $size bytes) $(oneline < /tmp/dd.err)"
    fi
    rm -f "$f"
}

# The namespace block device of controller nvmeN: with native multipath it is
# the subsystem's head node nvmeXnY (the path node is nvmeXcNnY).
find_ns() {
    for e in /sys/class/nvme/nvme$1/nvme*n*; do
        [ -e "$e" ] || continue
        n=${e##*/}
        case "$n" in
            nvme*c*n*) echo "${n%%c*}n${n##*n}" ;;
            *) echo "$n" ;;
        esac
        return 0
    done
    return 1
}

# references held on the crc32c modules (each digest-enabled queue takes some)
crc32c_refs() {
    n=0
    for m in crc32c_intel crc32c_generic; do
        [ -r /sys/module/$m/refcnt ] && n=$((n + $(cat /sys/module/$m/refcnt)))
    done
    echo $n
}

run_host() {
    info "kernel=$(uname -r) cpus=$(nproc) port=$PORT nqn=$NQN hostnqn=$HOSTNQN hdr_digest=$HDR_DIGEST data_digest=$DATA_DIGEST nr_io_queues=${NR_IO_QUEUES:-default} queue_size=${QUEUE_SIZE:-default}"
    echo "$HOSTNQN" > /etc/nvme/hostnqn
    echo "$HOSTID" > /etc/nvme/hostid

    # -- discover
    timeout 60 nvme discover -t tcp -a 10.0.2.2 -s "$PORT" -q "$HOSTNQN" -I "$HOSTID" > /tmp/disc.out 2>&1
    rc=$?
    show < /tmp/disc.out
    if grep -qF "$NQN" /tmp/disc.out; then
        pass discover
    else
        fail discover "rc=$rc, $NQN not in the discovery log: $(tail -n 3 /tmp/disc.out | oneline)"
    fi

    # -- the target's referral, as nvme-cli decodes the entry (subtype, traddr, trsvcid)
    if [ -n "$REFERRAL" ]; then
        raddr=${REFERRAL%:*} rport=${REFERRAL##*:}
        if awk -v a="$raddr" -v p="$rport" '
            /^=====Discovery Log Entry/ { if (ref && ta == a && ts == p) found = 1; ref = 0; ta = ""; ts = "" }
            /^subtype:/ && /referral/ { ref = 1 }
            /^traddr:/ { ta = $2 }
            /^trsvcid:/ { ts = $2 }
            END { if (ref && ta == a && ts == p) found = 1; exit !found }' /tmp/disc.out; then
            pass discover-referral
        else
            fail discover-referral "no referral entry to $REFERRAL in the discovery log: $(grep -E '^(subtype|traddr|trsvcid):' /tmp/disc.out | oneline)"
        fi
    fi

    # -- connect
    opts="transport=tcp,traddr=10.0.2.2,trsvcid=$PORT,nqn=$NQN,hostnqn=$HOSTNQN,hostid=$HOSTID"
    [ "$HDR_DIGEST" = 1 ] && opts="$opts,hdr_digest"
    [ "$DATA_DIGEST" = 1 ] && opts="$opts,data_digest"
    [ -n "$NR_IO_QUEUES" ] && opts="$opts,nr_io_queues=$NR_IO_QUEUES"
    [ -n "$QUEUE_SIZE" ] && opts="$opts,queue_size=$QUEUE_SIZE"
    echo "  connect options: $opts"
    # DH-HMAC-CHAP secrets go to the kernel after the echo: the console log never holds them
    [ -n "${DHCHAP_SECRET:-}" ] && opts="$opts,dhchap_secret=$DHCHAP_SECRET" && echo "  connect options: + dhchap_secret"
    [ -n "${DHCHAP_CTRL_SECRET:-}" ] && opts="$opts,dhchap_ctrl_secret=$DHCHAP_CTRL_SECRET" && echo "  connect options: + dhchap_ctrl_secret"
    refs_before=$(crc32c_refs)
    resp=$(timeout 60 sh -c 'exec 3<>/dev/nvme-fabrics && printf "%s" "$1" >&3 && read -r r <&3 && echo "$r"' sh "$opts" 2>/tmp/conn.err)
    rc=$?
    CTRL=""
    DEV=""
    case "$resp" in
        instance=*)
            inst=${resp#instance=}
            inst=${inst%%,*}
            CTRL=nvme$inst
            i=0
            while [ $i -lt 150 ]; do
                ns=$(find_ns "$inst") && [ -b "/dev/$ns" ] && { DEV=/dev/$ns; break; }
                sleep 0.1; i=$((i + 1))
            done
            ;;
    esac
    if [ -z "$CTRL" ]; then
        fail connect "writing the options to /dev/nvme-fabrics failed (rc=$rc) $(oneline < /tmp/conn.err)$resp; last kernel message: $(dmesg | grep -i nvme | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')"
    elif [ -z "$DEV" ]; then
        fail connect "$resp: controller /dev/$CTRL but no namespace block device after 15 s"
    else
        c=/sys/class/nvme/$CTRL
        info "connect: $resp ctrl=/dev/$CTRL ns=$DEV state=$(cat $c/state 2>/dev/null) queue_count=$(cat $c/queue_count 2>/dev/null) sqsize=$(cat $c/sqsize 2>/dev/null) transport=$(cat $c/transport 2>/dev/null) address=$(cat $c/address 2>/dev/null | oneline)"
        info "connect: crc32c module references before=$refs_before after=$(crc32c_refs) (digests hold extra ones)"
        pass connect
    fi

    # -- id-ctrl
    if [ -z "$CTRL" ]; then
        fail id-ctrl "not run: no controller"
    elif timeout 60 nvme id-ctrl "/dev/$CTRL" > /tmp/idctrl.out 2>&1; then
        info "id-ctrl: $(grep -E '^(vid|mn|fr|mdts|cntlid|ver|sqes|cqes|maxcmd|nn|sgls|ioccsz|iorcsz|icdoff|msdbd|subnqn) ' /tmp/idctrl.out | sed 's/ *: */=/' | oneline)"
        if grep -E '^subnqn ' /tmp/idctrl.out | grep -qF "$NQN"; then
            pass id-ctrl
        else
            fail id-ctrl "subnqn is not $NQN: $(grep -E '^subnqn ' /tmp/idctrl.out | oneline)"
        fi
    else
        fail id-ctrl "nvme id-ctrl failed: $(tail -n 3 /tmp/idctrl.out | oneline)"
    fi

    # -- id-ns
    if [ -z "$DEV" ]; then
        fail id-ns "not run: no namespace"
    elif timeout 60 nvme id-ns "$DEV" > /tmp/idns.out 2>&1; then
        nsze=$(sed -n 's/^nsze *: *//p' /tmp/idns.out)
        lbads=$(sed -n 's/^lbaf *[0-9]* *:.*lbads:\([0-9]*\).*in use.*/\1/p' /tmp/idns.out)
        lbs=$(cat /sys/block/${DEV#/dev/}/queue/logical_block_size)
        sectors=$(cat /sys/block/${DEV#/dev/}/size)
        info "id-ns: nsze=$nsze lbads=$lbads logical_block_size=$lbs bytes=$((sectors * 512))"
        if [ -z "$nsze" ] || [ $((nsze)) -eq 0 ]; then
            fail id-ns "nsze missing or zero"
        elif [ -z "$lbads" ] || [ $((1 << lbads)) -ne "$lbs" ]; then
            fail id-ns "LBA format in use (lbads=$lbads) does not match logical_block_size $lbs"
        elif [ $((nsze * lbs)) -ne $((sectors * 512)) ]; then
            fail id-ns "nsze*lbs=$((nsze * lbs)) != block device size $((sectors * 512))"
        else
            pass id-ns
        fi
    else
        fail id-ns "nvme id-ns failed: $(tail -n 3 /tmp/idns.out | oneline)"
    fi

    # -- data checks need 24 MiB: [0,1) 4k, [1,5) 128k, [8,16) 1M, [16,20) buffered
    size_mib=0
    [ -n "$DEV" ] && size_mib=$(( $(cat /sys/block/${DEV#/dev/}/size) / 2048 ))
    data_ok=1
    if [ -z "$DEV" ]; then
        why="not run: no namespace"; data_ok=0
    elif [ $size_mib -lt 24 ]; then
        why="not run: namespace has $size_mib MiB, the data checks need 24 MiB"; data_ok=0
    fi
    if [ $data_ok = 1 ]; then
        direct_rw direct-4k 4096 131072 0 1
        direct_rw direct-128k 131072 1048576 1 4
        direct_rw direct-1m 1048576 65536 8 8
    else
        fail direct-4k "$why"; fail direct-128k "$why"; fail direct-1m "$why"
    fi

    # -- buffered write, fsync, nvme flush, read back with O_DIRECT
    if [ $data_ok = 1 ]; then
        f=/tmp/pat-buffered
        pattern $f buffered $((4 * MIB))
        want=$(md5 < $f)
        if ! dd if=$f of="$DEV" bs=65536 seek=$((16 * 16)) count=64 conv=notrunc,fsync 2>/tmp/dd.err; then
            fail buffered-flush "buffered write + fsync failed: $(oneline < /tmp/dd.err)"
        elif ! timeout 60 nvme flush "$DEV" > /tmp/flush.out 2>&1; then
            fail buffered-flush "nvme flush failed: $(oneline < /tmp/flush.out)"
        else
            echo 3 > /proc/sys/vm/drop_caches
            got=$(dd if="$DEV" bs=1048576 skip=16 count=4 iflag=direct 2>/dev/null | md5)
            if [ "$got" = "$want" ]; then pass buffered-flush
            else fail buffered-flush "read-back md5 $got != written $want"; fi
        fi
        rm -f $f
    else
        fail buffered-flush "$why"
    fi

    # -- concurrent O_DIRECT readers of the direct-128k region [1,5) MiB
    if [ $data_ok = 1 ]; then
        want=$(cat /tmp/md5-direct-128k)
        for bs in 4096 65536 262144 1048576; do
            ( dd if="$DEV" bs=$bs skip=$((MIB / bs)) count=$((4 * MIB / bs)) iflag=direct 2>/dev/null | md5 > /tmp/cr.$bs ) &
        done
        wait
        bad=""
        for bs in 4096 65536 262144 1048576; do
            [ "$(cat /tmp/cr.$bs)" = "$want" ] || bad="$bad bs=$bs:$(cat /tmp/cr.$bs)"
        done
        if [ -z "$bad" ]; then pass concurrent-read
        else fail concurrent-read "md5 mismatch (want $want):$bad"; fi
    else
        fail concurrent-read "$why"
    fi

    # -- a namespace added and removed on the target at runtime: the host must see the AEN, read the
    #    Changed Namespace List and rescan. The harness's caller acts on the REQUEST lines.
    if [ "$NS_EVENTS" = 1 ]; then
        if [ -z "$CTRL" ]; then
            fail ns-events "not run: no controller"
        else
            echo "INTEROP REQUEST add-ns 2"
            dev2="" i=0
            while [ $i -lt 300 ]; do
                for e in /sys/class/nvme/$CTRL/nvme*n2; do
                    [ -e "$e" ] || continue
                    n=${e##*/}
                    case "$n" in nvme*c*n*) n="${n%%c*}n2" ;; esac
                    [ -b "/dev/$n" ] && dev2=/dev/$n
                done
                [ -n "$dev2" ] && break
                sleep 0.1; i=$((i + 1))
            done
            if [ -z "$dev2" ]; then
                fail ns-events "namespace 2 did not appear within 30 s of add-ns; last kernel message: $(dmesg | grep -i nvme | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')"
            else
                info "ns-events: $dev2 appeared $((i / 10)).$((i % 10)) s after add-ns"
                pattern /tmp/pat-ns2 ns2 $((MIB / 4))
                want=$(md5 < /tmp/pat-ns2)
                dd if=/tmp/pat-ns2 of="$dev2" bs=4096 oflag=direct conv=notrunc 2>/tmp/dd.err
                got=$(dd if="$dev2" bs=65536 count=4 iflag=direct 2>/dev/null | md5)
                rm -f /tmp/pat-ns2
                if [ "$got" != "$want" ]; then
                    fail ns-events "read-back on $dev2: md5 $got != written $want $(oneline < /tmp/dd.err)"
                else
                    echo "INTEROP REQUEST remove-ns 2"
                    i=0
                    while [ -b "$dev2" ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i + 1)); done
                    if [ -b "$dev2" ]; then
                        fail ns-events "$dev2 still present 30 s after remove-ns"
                    else
                        info "ns-events: $dev2 gone $((i / 10)).$((i % 10)) s after remove-ns"
                        pass ns-events
                    fi
                fi
            fi
        fi
    fi

    # -- disconnect
    if [ -z "$CTRL" ]; then
        fail disconnect "not run: no controller"
    elif ! echo 1 > /sys/class/nvme/$CTRL/delete_controller 2>/tmp/del.err; then
        fail disconnect "delete_controller: $(oneline < /tmp/del.err)"
    else
        i=0
        while [ -e /sys/class/nvme/$CTRL ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        if [ -e /sys/class/nvme/$CTRL ]; then fail disconnect "$CTRL still present 10 s after delete_controller"
        else pass disconnect; fi
    fi

    echo "INTEROP SUMMARY passed=$PASSED failed=$FAILED"
    echo "---- dmesg (nvme) ----"
    dmesg | grep -i nvme
    echo "---- end of dmesg ----"
    halt_now
}


# ---------------------------------------------------------------------------
# security mode (6.12 only): the guest-side tools the TLS / DH-HMAC-CHAP work
# needs, each checked once
# ---------------------------------------------------------------------------
run_security() {
    P=0 F=0
    spass() { echo "INTEROP PASS $1"; P=$((P + 1)); }
    sfail() { echo "INTEROP FAIL $1: $2"; F=$((F + 1)); }
    H=nqn.2014-08.org.nvmexpress:uuid:6e766d65-6f66-3466-8a00-696e7465726f
    S=nqn.2024-01.org.nvmeof4j:security
    echo "INTEROP INFO kernel=$(uname -r) $(nvme version 2>&1 | head -n 1)"
    k=$(nvme gen-dhchap-key --nqn "$H" --hmac 1 2>&1)
    case "$k" in DHHC-1:01:*:) spass gen-dhchap-key ;; *) sfail gen-dhchap-key "$k" ;; esac
    t=$(nvme gen-tls-key --hostnqn "$H" --subsysnqn "$S" --hmac 1 2>&1)
    case "$t" in NVMeTLSkey-1:01:*:) spass gen-tls-key ;; *) sfail gen-tls-key "$t" ;; esac
    c=$(nvme check-tls-key --hostnqn "$H" --subsysnqn "$S" --keydata "$t" --insert 2>&1)
    if grep -q psk /proc/keys && grep -q NVMe /proc/keys; then
        spass check-tls-key-insert
        echo "INTEROP INFO keyring: $(grep -E 'psk|keyring' /proc/keys | sed 's/  */ /g' | tr '\n' ';' | cut -c1-300)"
    else
        sfail check-tls-key-insert "$c; /proc/keys: $(tr '\n' ';' < /proc/keys | cut -c1-200)"
    fi
    tlshd > /tmp/tlshd.log 2>&1 &
    sleep 2
    if kill -0 $! 2>/dev/null; then spass tlshd; else sfail tlshd "exited: $(tr '\n' ' ' < /tmp/tlshd.log | cut -c1-200)"; fi
    mkdir -p /sys/kernel/config
    mount -t configfs configfs /sys/kernel/config 2>/dev/null
    cfg=/sys/kernel/config/nvmet
    mkdir "$cfg/hosts/$H" 2>/dev/null
    if echo "$k" > "$cfg/hosts/$H/dhchap_key" && echo 'hmac(sha256)' > "$cfg/hosts/$H/dhchap_hash" &&
            echo ffdhe2048 > "$cfg/hosts/$H/dhchap_dhgroup"; then
        spass nvmet-dhchap-key
    else
        sfail nvmet-dhchap-key "$cfg/hosts/$H: $(ls "$cfg/hosts/$H" 2>&1 | tr '\n' ' ')"
    fi
    p=$cfg/ports/2
    mkdir "$p"
    echo tcp > "$p/addr_trtype"; echo ipv4 > "$p/addr_adrfam"
    echo 0.0.0.0 > "$p/addr_traddr"; echo 4421 > "$p/addr_trsvcid"
    if echo tls1.3 > "$p/addr_tsas" 2>/tmp/tsas.err && [ "$(cat "$p/addr_tsas")" = tls1.3 ]; then
        spass nvmet-tls-port
        echo "INTEROP INFO port 2: addr_tsas=$(cat "$p/addr_tsas") addr_treq=$(cat "$p/addr_treq")"
    else
        sfail nvmet-tls-port "$(cat /tmp/tsas.err) tsas=$(cat "$p/addr_tsas" 2>&1)"
    fi
    echo "INTEROP SUMMARY passed=$P failed=$F"
    halt_now
}

case "$MODE" in
    target) run_target ;;
    security) run_security ;;
    host) run_host ;;
    *) say "unknown MODE '$MODE'"; halt_now ;;
esac
halt_now
