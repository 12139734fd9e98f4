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
        case " ${SKIP_MODULES:-} " in *" $m "*) say "module $m skipped (--skip-module)"; continue ;; esac
        modprobe "$m" 2>/tmp/modprobe.err || say "modprobe $m failed: $(cat /tmp/modprobe.err)"
    done
    # extra modules the run's initrd added (interop_make_initrd), in name order; built-in or loaded ones fail quietly
    for k in /lib/modules/$(uname -r)/extra/*.ko; do
        [ -e "$k" ] && insmod "$k" 2>/dev/null
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
    if [ -n "${PORT2:-}" ]; then
        # a second port (path) to the same subsystem
        p2=$cfg/ports/2
        mkdir "$p2" || tfail "mkdir port 2"
        echo tcp > "$p2/addr_trtype"
        echo ipv4 > "$p2/addr_adrfam"
        echo 0.0.0.0 > "$p2/addr_traddr"
        echo "$PORT2" > "$p2/addr_trsvcid"
    fi
    # ANA: groups other than 1 exist on every port; then the states asked for, before the ports are linked
    ports=1; [ -n "${PORT2:-}" ] && ports="1 2"
    for g in ${ANA_GRPID:-1} $(echo "${ANA_STATES:-}" | tr ' ' '\n' | sed -n 's/^[12]:\([0-9]*\)=.*/\1/p'); do
        [ "$g" = 1 ] && continue
        for n in $ports; do
            [ -d "$cfg/ports/$n/ana_groups/$g" ] || mkdir "$cfg/ports/$n/ana_groups/$g" || tfail "mkdir ports/$n/ana_groups/$g"
        done
    done
    for a in ${ANA_STATES:-}; do
        n=${a%%:*} g=${a#*:}; g=${g%%=*}
        echo "${a#*=}" > "$cfg/ports/$n/ana_groups/$g/ana_state" || tfail "ana_state $a"
    done
    if [ "${ANA_GRPID:-1}" != 1 ]; then
        echo 0 > "$s/namespaces/1/enable"
        echo "$ANA_GRPID" > "$s/namespaces/1/ana_grpid" || tfail "ana_grpid $ANA_GRPID"
        echo 1 > "$s/namespaces/1/enable" || tfail "enable namespace"
    fi
    if [ -n "${TLS_KEY:-}" ]; then
        # TLS 1.3 required on the port (set before a subsystem is linked); tlshd does the server handshakes and
        # finds the PSK of the identity the host offers in the .nvme keyring
        printf '[debug]\nloglevel=7\ntls=0\nnl=0\n\n[authenticate]\nkeyrings=.nvme\n' > /etc/tlshd.conf
        for sn in "$NQN" nqn.2014-08.org.nvmexpress.discovery; do
            nvme check-tls-key --hostnqn "$TLS_HOST" --subsysnqn "$sn" --keydata "$TLS_KEY" --insert 2>&1 |
                grep -v NVMeTLSkey | sed 's/^/  | /'
        done
        echo "  keyring: $(grep -E ' psk ' /proc/keys | sed 's/  */ /g' | tr '\n' ';' | cut -c1-400)"
        # its log goes to the console (the run's log) as it happens
        ( tlshd -s 2>&1 | sed -e '/NVMeTLSkey/d' -e 's/^/tlshd: /' ) &
        echo tls1.3 > "$p/addr_tsas" || tfail "addr_tsas tls1.3"
        [ "$(cat "$p/addr_tsas")" = tls1.3 ] || tfail "addr_tsas reads back $(cat "$p/addr_tsas")"
    fi
    ln -s "$s" "$p/subsystems/$NQN" || tfail "link subsystem to port"
    [ -n "${PORT2:-}" ] && { ln -s "$s" "$cfg/ports/2/subsystems/$NQN" || tfail "link subsystem to port 2"; }
    for l in 4420 ${PORT2:-}; do
        i=0
        while ! netstat -ltn 2>/dev/null | grep -q ":$l "; do
            i=$((i + 1)); [ $i -gt 50 ] && tfail "nothing listens on $l"
            sleep 0.1
        done
    done
    ana=""
    for n in $ports; do
        for d in $cfg/ports/$n/ana_groups/*; do ana="$ana port$n/grp${d##*/}=$(cat $d/ana_state)"; done
    done
    echo "INTEROP TARGET INFO nqn=$NQN size_mib=$SIZE_MIB listen=0.0.0.0:4420${PORT2:+,0.0.0.0:$PORT2} ana_grpid=$(cat $s/namespaces/1/ana_grpid 2>/dev/null) ana:$ana kernel=$(uname -r) addr_tsas=$(cat $p/addr_tsas 2>/dev/null) addr_treq=$(cat $p/addr_treq 2>/dev/null)"
    echo "INTEROP TARGET READY"
    # From now on every kernel message (nvmet connects, errors) goes to the
    # console, i.e. the log.
    echo 8 > /proc/sys/kernel/printk
    [ "${CONTROL:-}" = 1 ] && target_control
    while true; do sleep 3600; done
}

# The control line (linux-target.sh --control-port): commands on ttyS1, one answer line each.
target_control() {
    t=/dev/ttyS1
    [ -c $t ] || { echo "interop-guest: no $t for the control line"; return; }
    stty -F $t raw -echo 2>/dev/null
    while true; do
        while read -r cmd a1 a2 a3 rest; do
            case "$cmd" in
                ana)
                    f=/sys/kernel/config/nvmet/ports/$a1/ana_groups/$a2/ana_state
                    if [ -n "$a3" ] && [ -e "$f" ] && echo "$a3" > "$f" 2>/dev/null && [ "$(cat $f)" = "$a3" ]; then
                        echo "INTEROP TARGET CONTROL ana port $a1 group $a2 -> $a3" > /dev/console
                        echo "ok ana $a1 $a2 $a3"
                    else
                        echo "error ana $a1 $a2 $a3: no such port or group, or state refused"
                    fi ;;
                "") ;;
                *) echo "error unknown command '$cmd' (known: ana PORT GRPID STATE)" ;;
            esac > $t
        done < $t
        sleep 0.2
    done
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
    # TLS runs: the guest's memory after each check (a leak in the kTLS receive path would show here)
    [ -n "${TLS_KEY:-}" ] && echo "  memory: $(grep -E '^(MemAvailable|Slab|SUnreclaim):' /proc/meminfo | oneline)$(
        awk '/^TCP:/ { print " tcp mem pages " $NF }' /proc/net/sockstat)"
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
# stall_report WHAT: the kernel's view of a hang (blocked tasks, the nvme queues, the sockets) into the log
stall_report() {
    echo "  stall ($1) at $(uptime_s) s:"
    for d in /proc/[0-9]*; do
        grep -qs '^dd' $d/comm || continue
        echo "  dd ${d#/proc/} state $(sed -n 's/^State:[[:space:]]*//p' $d/status) wchan $(cat $d/wchan 2>/dev/null)"
        sed 's/^/    /' $d/stack 2>/dev/null | head -20
    done
    grep -q " /sys/kernel/debug " /proc/mounts || mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
    echo w > /proc/sysrq-trigger 2>/dev/null
    dmesg | tail -60 | show
    for f in /sys/kernel/debug/block/nvme*/hctx*/busy /sys/kernel/debug/block/nvme*/hctx*/dispatch; do
        [ -s "$f" ] && { echo "  $f:"; head -20 "$f" | show; }
    done
    netstat -tn 2>/dev/null | show
}

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

    # -- TLS (6.12): the configured PSK into the .nvme keyring for the subsystem and the discovery NQN, then tlshd,
    #    which does the kernel's TLS handshakes with the key the kernel picks (nvme_tls_psk_default)
    TLS_DISC=""
    if [ -n "${TLS_KEY:-}" ]; then
        TLS_DISC=--tls
        printf '[debug]\nloglevel=7\ntls=0\nnl=0\n\n[authenticate]\nkeyrings=.nvme\n' > /etc/tlshd.conf
        for sn in "$NQN" nqn.2014-08.org.nvmexpress.discovery; do
            # the key goes to nvme-cli as an argument only; what it prints is filtered before the log sees it
            nvme check-tls-key --hostnqn "$HOSTNQN" --subsysnqn "$sn" --keydata "$TLS_KEY" --insert 2>&1 |
                grep -v NVMeTLSkey | show
        done
        info "tls: keyring: $(grep -E ' psk ' /proc/keys | sed 's/  */ /g' | tr '\n' ';' | cut -c1-400)"
        tlshd -s > /tmp/tlshd.log 2>&1 &
        TLSHD_PID=$!
        sleep 1
        kill -0 $TLSHD_PID 2>/dev/null || info "tls: tlshd exited: $(grep -v NVMeTLSkey /tmp/tlshd.log | oneline)"
    fi

    # -- discover
    timeout 60 nvme discover -t tcp -a 10.0.2.2 -s "$PORT" -q "$HOSTNQN" -I "$HOSTID" $TLS_DISC > /tmp/disc.out 2>&1
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
    [ -n "${TLS_KEY:-}" ] && opts="$opts,tls"
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
        [ -n "${TLS_KEY:-}" ] && info "tls: tls_key=$(cat $c/tls_key 2>&1 | oneline) tls_configured_key=$(cat $c/tls_configured_key 2>&1 | oneline) tls_keyring=$(cat $c/tls_keyring 2>&1 | oneline)"
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
        # the kernel's own view if this hangs: blocked tasks after 20 s and nvme warnings (I/O timeouts, resets) on
        # the console as they happen, without any user space process having to run
        echo 20 > /proc/sys/kernel/hung_task_timeout_secs 2>/dev/null
        echo 8 > /proc/sys/kernel/printk
        pids=""
        for bs in 4096 65536 262144 1048576; do
            rm -f /tmp/cr.$bs
            ( dd if="$DEV" bs=$bs skip=$((MIB / bs)) count=$((4 * MIB / bs)) iflag=direct 2>/dev/null | md5 > /tmp/cr.$bs ) &
            pids="$pids $!"
        done
        # bounded: a reader that never finishes fails the check with what the kernel knows, instead of holding
        # the VM until its timeout
        i=0
        while [ $i -lt 120 ] && for q in $pids; do kill -0 $q 2>/dev/null && break; done; do
            i=$((i + 1)); sleep 1
        done
        stuck=""
        for q in $pids; do kill -0 $q 2>/dev/null && stuck="$stuck $q"; done
        if [ -n "$stuck" ]; then
            stall_report "concurrent readers"
            fail concurrent-read "readers still running after 120 s (bs and bytes read: $(for d in /proc/[0-9]*; do
                grep -qs '^dd' $d/comm && echo "$(tr '\0' ' ' < $d/cmdline | sed 's/.* bs=\([0-9]*\).*/\1/'):$(sed -n 's/^rchar: //p' $d/io)"; done | oneline))"
        else
            wait $pids # not a bare wait: tlshd (TLS runs) is a background child that never exits
            bad=""
            for bs in 4096 65536 262144 1048576; do
                [ "$(cat /tmp/cr.$bs)" = "$want" ] || bad="$bad bs=$bs:$(cat /tmp/cr.$bs)"
            done
            if [ -z "$bad" ]; then pass concurrent-read
            else fail concurrent-read "md5 mismatch (want $want):$bad"; fi
        fi
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
    dmesg | grep -i -E 'nvme|tls|handshake'
    echo "---- end of dmesg ----"
    if [ -n "${TLS_KEY:-}" ]; then
        echo "---- tlshd ----"
        grep -v NVMeTLSkey /tmp/tlshd.log | tail -n 60
        echo "---- end of tlshd ----"
    fi
    halt_now
}


# ---------------------------------------------------------------------------
# multipath mode (host mode with PORT2): the Linux host's native multipath over
# two paths (10.0.2.2:PORT and :PORT2) to one subsystem, an O_DIRECT verify
# workload running while the caller changes path 1's ANA state and takes
# port 2 down and up again (it acts on the INTEROP REQUEST lines)
# ---------------------------------------------------------------------------
# connect_path PORT: prints the new controller's instance number
connect_path() {
    o="transport=tcp,traddr=10.0.2.2,trsvcid=$1,nqn=$NQN,hostnqn=$HOSTNQN,hostid=$HOSTID,reconnect_delay=1"
    [ "$HDR_DIGEST" = 1 ] && o="$o,hdr_digest"
    [ "$DATA_DIGEST" = 1 ] && o="$o,data_digest"
    [ -n "$NR_IO_QUEUES" ] && o="$o,nr_io_queues=$NR_IO_QUEUES"
    [ -n "$QUEUE_SIZE" ] && o="$o,queue_size=$QUEUE_SIZE"
    echo "  connect options: $o" >&2
    r=$(timeout 60 sh -c 'exec 3<>/dev/nvme-fabrics && printf "%s" "$1" >&3 && read -r r <&3 && echo "$r"' sh "$o" 2>/tmp/conn.err)
    case "$r" in
        instance=*) r=${r#instance=}; echo "${r%%,*}" ;;
        *) echo "  connect to port $1 failed: $(oneline < /tmp/conn.err)$r" >&2; return 1 ;;
    esac
}

# path_dir nvmeN: the sysfs directory of that controller's path to the namespace (nvmeXcNnY)
path_dir() {
    for e in /sys/class/nvme/$1/nvme*c*n*; do
        [ -e "$e/ana_state" ] && { echo "$e"; return 0; }
    done
    return 1
}

# wait_value FILE VALUE SECS: until FILE holds VALUE
wait_value() {
    i=0
    while [ "$(cat "$1" 2>/dev/null)" != "$2" ]; do
        [ $i -ge $(($3 * 10)) ] && return 1
        sleep 0.1; i=$((i + 1))
    done
    echo "  $1 = $2 after $((i / 10)).$((i % 10)) s"
}

# The workload: round i writes pattern i%3 (256 KiB, O_DIRECT, bs 64k) into region i%8 of [24, 26) MiB and reads
# the region back (O_DIRECT, bs 256k); consecutive writes of a region differ, so stale data shows. State in
# /tmp/wl.state: "ROUNDS ERRORS".
wl_run() {
    i=0 errs=0
    while [ ! -e /tmp/wl.stop ]; do
        p=$((i % 3)) r=$((i % 8))
        if ! dd if=/tmp/wl.pat$p of="$DEV" bs=65536 seek=$((384 + r * 4)) count=4 oflag=direct conv=notrunc \
                2>/tmp/wl.err; then
            errs=$((errs + 1)); echo "  workload round $i: write failed at $(uptime_s) s: $(oneline < /tmp/wl.err)"
        else
            got=$(dd if="$DEV" bs=262144 skip=$((96 + r)) count=1 iflag=direct 2>/tmp/wl.err | md5)
            if [ "$got" != "$(cat /tmp/wl.md5$p)" ]; then
                errs=$((errs + 1))
                echo "  workload round $i: region $r read back md5 $got != pattern $p at $(uptime_s) s $(oneline < /tmp/wl.err)"
            fi
        fi
        i=$((i + 1))
        echo "$i $errs" > /tmp/wl.state.new && mv /tmp/wl.state.new /tmp/wl.state
    done
}
wl_rounds() { s=$(cat /tmp/wl.state 2>/dev/null); echo "${s%% *}"; }
wl_errors() { s=$(cat /tmp/wl.state 2>/dev/null); echo "${s##* }"; }
# wl_advance N SECS: the workload completes N more rounds within SECS
wl_advance() {
    from=$(wl_rounds) i=0
    while [ $(($(wl_rounds) - from)) -lt $1 ]; do
        [ $i -ge $(($2 * 10)) ] && return 1
        sleep 0.1; i=$((i + 1))
    done
    echo "  workload: $1 rounds in $((i / 10)).$((i % 10)) s (round $(wl_rounds), errors $(wl_errors))"
}

# mp_phase NAME CHECK_CMD: after a REQUEST, CHECK_CMD (waiting for sysfs) must pass and the workload must go on
mp_phase() {
    name=$1 WHY=""; shift
    if ! "$@"; then
        fail "$name" "$WHY"
    elif [ "$(wl_errors)" != 0 ]; then
        fail "$name" "workload errors: $(wl_errors) after $(wl_rounds) rounds"
    elif ! wl_advance 1 90; then
        fail "$name" "the workload stalled: no round in 90 s (round $(wl_rounds))"
    else
        # one round after the change every I/O from before it has completed (the workload runs one at a time):
        # from here on each path's completed I/Os (sysfs stat: reads + writes) show where the kernel sends them
        a1=$(path_ios $C1) a2=$(path_ios $C2)
        if ! wl_advance 4 90; then
            fail "$name" "the workload stalled: fewer than 4 rounds in 90 s (round $(wl_rounds))"
            return
        fi
        IOS1=$(($(path_ios $C1) - a1)) IOS2=$(($(path_ios $C2) - a2))
        info "$name: $(paths_state) I/Os in 4 rounds: $C1 $IOS1, $C2 $IOS2"
        case "$EXPECT_IOS" in
            1) [ $IOS1 -gt 0 ] && [ $IOS2 = 0 ] ;;
            2) [ $IOS1 = 0 ] && [ $IOS2 -gt 0 ] ;;
            any) [ $((IOS1 + IOS2)) -gt 0 ] ;;
            *) [ $IOS1 -gt 0 ] && [ $IOS2 -gt 0 ] ;;
        esac || { fail "$name" "I/Os per path $IOS1/$IOS2, expected them on ${EXPECT_IOS:-both}"; return; }
        pass "$name"
    fi
}
# path_ios nvmeN: reads + writes completed on that controller's path
path_ios() {
    d=$(path_dir $1)
    set -- $(cat $d/stat 2>/dev/null)
    echo $(( ${1:-0} + ${5:-0} ))
}
paths_state() {
    for c in $C1 $C2; do
        d=$(path_dir $c)
        printf '%s ' "$c:$(cat /sys/class/nvme/$c/state 2>/dev/null)/$(cat $d/ana_state 2>/dev/null)"
    done
}
expect_ana() { # CTRL STATE SECS
    d=$(path_dir $1) && wait_value "$d/ana_state" "$2" "$3" && return 0
    WHY="$1 path ana_state is '$(cat "$d/ana_state" 2>/dev/null)', not $2, after $3 s"; return 1
}
expect_ctrl_not_live() { # CTRL SECS
    i=0
    while [ "$(cat /sys/class/nvme/$1/state 2>/dev/null)" = live ]; do
        [ $i -ge $(($2 * 10)) ] && { WHY="$1 still live $2 s after port-down"; return 1; }
        sleep 0.1; i=$((i + 1))
    done
    echo "  $1 state $(cat /sys/class/nvme/$1/state 2>/dev/null) after $((i / 10)).$((i % 10)) s"
}
expect_ctrl_live() { # CTRL SECS
    wait_value /sys/class/nvme/$1/state live "$2" && expect_ana "$1" optimized 30 && return 0
    WHY="${WHY:-$1 state '$(cat /sys/class/nvme/$1/state 2>/dev/null)', not live, $2 s after port-up}"; return 1
}

run_multipath() {
    mp=$(cat /sys/module/nvme_core/parameters/multipath 2>/dev/null)
    info "kernel=$(uname -r) cpus=$(nproc) ports=$PORT,$PORT2 nqn=$NQN nvme_core.multipath=$mp iopolicy=$IOPOLICY hdr_digest=$HDR_DIGEST data_digest=$DATA_DIGEST"
    echo "$HOSTNQN" > /etc/nvme/hostnqn
    echo "$HOSTID" > /etc/nvme/hostid
    C1="" C2="" DEV=""
    # -- mp-connect: one connect per port, one namespace head for both
    if [ "$mp" != Y ]; then
        fail mp-connect "native multipath is off (nvme_core multipath=$mp)"
    elif ! i1=$(connect_path "$PORT"); then
        fail mp-connect "port $PORT: $(dmesg | grep -i nvme | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')"
    elif ! i2=$(connect_path "$PORT2"); then
        fail mp-connect "port $PORT2: $(dmesg | grep -i nvme | tail -n 1 | sed 's/^\[[ 0-9.]*\] //')"
    else
        C1=nvme$i1 C2=nvme$i2
        n1="" n2="" i=0
        while [ $i -lt 150 ]; do
            n1=$(find_ns "$i1") && n2=$(find_ns "$i2") && [ -b "/dev/$n1" ] && break
            sleep 0.1; i=$((i + 1))
        done
        info "mp-connect: $C1 (port $PORT, cntlid $(cat /sys/class/nvme/$C1/cntlid)) -> ${n1:-none}, $C2 (port $PORT2, cntlid $(cat /sys/class/nvme/$C2/cntlid)) -> ${n2:-none}"
        if [ -z "$n1" ] || [ ! -b "/dev/$n1" ]; then
            fail mp-connect "no namespace block device after 15 s"
        elif [ "$n1" != "$n2" ]; then
            fail mp-connect "the two paths give two namespaces, /dev/$n1 and /dev/$n2, not one head"
        else
            DEV=/dev/$n1
            pass mp-connect
        fi
    fi
    # -- mp-subsys: both controllers in one nvme-subsystem, two paths under the head, nvme list-subsys
    if [ -z "$DEV" ]; then
        fail mp-subsys "not run: no namespace"
    else
        sub=""
        for s in /sys/class/nvme-subsystem/nvme-subsys*; do
            [ -e "$s/$C1" ] && [ -e "$s/$C2" ] && sub=$s
        done
        d1=$(path_dir $C1) d2=$(path_dir $C2)
        p1=${d1##*/} p2=${d2##*/}
        heads="$p1 $p2"
        [ -d /sys/block/${DEV#/dev/}/multipath ] && heads="$heads (multipath/: $(ls /sys/block/${DEV#/dev/}/multipath | oneline))"
        timeout 30 nvme list-subsys "$DEV" > /tmp/ls.out 2>&1
        show < /tmp/ls.out
        npaths=$(grep -c -E '^ *\+- nvme[0-9]+ tcp' /tmp/ls.out)
        info "mp-subsys: ${sub##*/} holds $(ls $sub 2>/dev/null | grep -E '^nvme[0-9]+$' | oneline); paths of ${DEV#/dev/}: $heads; list-subsys paths: $npaths"
        if [ -z "$sub" ]; then
            fail mp-subsys "$C1 and $C2 are not in one /sys/class/nvme-subsystem entry"
        elif [ -z "$p1" ] || [ -z "$p2" ] || [ "$p1" = "$p2" ] || [ "${p1%%c*}n${p1##*n}" != "${DEV#/dev/}" ] ||
                [ "${p2%%c*}n${p2##*n}" != "${DEV#/dev/}" ]; then
            fail mp-subsys "the path nodes of $C1 and $C2 ('$p1', '$p2') are not two paths of ${DEV#/dev/}"
        elif [ "$npaths" != 2 ] || ! grep -qE "trsvcid=$PORT2([^0-9]|\$)" /tmp/ls.out ||
                ! grep -qE "trsvcid=$PORT([^0-9]|\$)" /tmp/ls.out; then
            fail mp-subsys "nvme list-subsys shows $npaths paths: $(oneline < /tmp/ls.out)"
        else
            echo "$IOPOLICY" > $sub/iopolicy
            info "mp-subsys: iopolicy=$(cat $sub/iopolicy)"
            pass mp-subsys
        fi
    fi
    # -- mp-ana-sysfs: each path shows its ANA group and state
    if [ -z "$DEV" ]; then
        fail mp-ana-sysfs "not run: no namespace"
    else
        d1=$(path_dir $C1) d2=$(path_dir $C2)
        info "mp-ana-sysfs: ${d1##*/} grpid=$(cat $d1/ana_grpid 2>/dev/null) state=$(cat $d1/ana_state 2>/dev/null); ${d2##*/} grpid=$(cat $d2/ana_grpid 2>/dev/null) state=$(cat $d2/ana_state 2>/dev/null)"
        if [ "$(cat $d1/ana_state 2>/dev/null)" = optimized ] && [ "$(cat $d2/ana_state 2>/dev/null)" = optimized ] &&
                [ "$(cat $d1/ana_grpid 2>/dev/null)" = 1 ] && [ "$(cat $d2/ana_grpid 2>/dev/null)" = 1 ]; then
            pass mp-ana-sysfs
        else
            fail mp-ana-sysfs "expected group 1 optimized on both paths"
        fi
    fi
    # -- the workload, while path 1 goes inaccessible and back, and port 2 goes down and up
    if [ -z "$DEV" ]; then
        for c in mp-workload-start mp-ana-inaccessible mp-ana-optimized mp-port-down mp-port-up mp-workload; do
            fail $c "not run: no namespace"
        done
    else
        for p in 0 1 2; do
            pattern /tmp/wl.pat$p "wl$p" 262144
            md5 < /tmp/wl.pat$p > /tmp/wl.md5$p
        done
        rm -f /tmp/wl.stop
        echo "0 0" > /tmp/wl.state
        wl_run > /tmp/wl.log 2>&1 &
        wlpid=$!
        if wl_advance 3 90; then pass mp-workload-start; else fail mp-workload-start "fewer than 3 rounds in 90 s"; fi
        # with round-robin both paths carry I/O while both are usable; numa keeps to one
        both=both; [ "$IOPOLICY" = round-robin ] || both=any
        echo "INTEROP REQUEST ana 1 inaccessible"
        EXPECT_IOS=2; mp_phase mp-ana-inaccessible expect_ana $C1 inaccessible 30
        echo "INTEROP REQUEST ana 1 optimized"
        EXPECT_IOS=$both; mp_phase mp-ana-optimized expect_ana $C1 optimized 30
        echo "INTEROP REQUEST port-down 2"
        EXPECT_IOS=1; mp_phase mp-port-down expect_ctrl_not_live $C2 30
        echo "INTEROP REQUEST port-up 2"
        EXPECT_IOS=$both; mp_phase mp-port-up expect_ctrl_live $C2 60
        touch /tmp/wl.stop
        wait $wlpid
        show < /tmp/wl.log
        info "mp-workload: $(wl_rounds) rounds of 256 KiB write + read-back, $(wl_errors) errors"
        if [ "$(wl_errors)" = 0 ] && [ "$(wl_rounds)" -ge 19 ]; then
            pass mp-workload
        else
            fail mp-workload "$(wl_errors) errors in $(wl_rounds) rounds: $(head -n 3 /tmp/wl.log | oneline)"
        fi
    fi
    # -- disconnect both paths
    gone=1
    for c in $C1 $C2; do
        echo 1 > /sys/class/nvme/$c/delete_controller 2>/dev/null
    done
    for c in $C1 $C2; do
        i=0
        while [ -e /sys/class/nvme/$c ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
        [ -e /sys/class/nvme/$c ] && gone=0
    done
    if [ -z "$C1" ]; then fail disconnect "not run: no controller"
    elif [ $gone = 1 ]; then pass disconnect
    else fail disconnect "a controller is still present 10 s after delete_controller"; fi

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
    host) if [ -n "${PORT2:-}" ]; then run_multipath; else run_host; fi ;;
    *) say "unknown MODE '$MODE'"; halt_now ;;
esac
halt_now
