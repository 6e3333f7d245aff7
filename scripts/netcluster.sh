#!/usr/bin/env bash
# A test cluster of hosts on one machine: a driver host and N worker hosts, each in its own network
# namespace with its own address on a private bridge (in a switch namespace of its own, so nothing
# is added to the machine's own network and no route leads off it), links shaped to a profile.
#
#   scripts/netcluster.sh up [WORKERS] [PROFILE]   hosts driver, w1..wWORKERS (default 3, lan)
#   scripts/netcluster.sh shape PROFILE            reshape every link
#   scripts/netcluster.sh spark                    a standalone master on driver, a worker per wI
#   scripts/netcluster.sh submit [SPARK-SUBMIT OPTIONS] -- COMMAND [OPTIONS]
#                                                  the program on the driver host, on the cluster
#   scripts/netcluster.sh exec HOST COMMAND...     run a command on a host
#   scripts/netcluster.sh cut HOST | heal HOST     take a host's link down / up
#   scripts/netcluster.sh loss PERCENT             drop PERCENT of the packets every host sends
#   scripts/netcluster.sh bytes HOST               the host's link counters: received sent (bytes)
#   scripts/netcluster.sh status | down
#
# Profiles (each direction of each host's link): lan 1 Gbit/s, wan 100 Mbit/s, slow 10 Mbit/s,
# as token buckets (tc tbf); lossy is lan with 1% of the packets dropped. Loss is a random drop in
# each host's output (nftables), so each packet meets it once. This kernel has no netem, so no
# added latency.
# Needs root (namespaces) and iproute2, and nftables for loss; `down` removes everything `up` made.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
prefix=rnnlm
switch=$prefix-switch
subnet=10.213.0
state=/run/$prefix-netcluster   # workers count and profile, the daemons' logs

die() { echo "netcluster: $*" >&2; exit 1; }
ns() { echo "$prefix-$1"; }
address() { [[ $1 == driver ]] && echo "$subnet.1" || echo "$subnet.$((10 + ${1#w}))"; }
hosts() { echo driver; for ((i = 1; i <= $(cat "$state/workers"); i++)); do echo "w$i"; done; }

rate() {
  case $1 in
    lan) echo 1gbit ;;
    wan) echo 100mbit ;;
    slow) echo 10mbit ;;
    lossy) echo 1gbit ;;
    *) die "unknown profile '$1' (lan, wan, slow or lossy)" ;;
  esac
}

require() {
  [[ $(id -u) -eq 0 ]] || die "needs root to make network namespaces (run it as root)"
  command -v ip >/dev/null && command -v tc >/dev/null || die "needs iproute2 (apt-get install iproute2)"
  if ! ip netns add "$prefix-probe" 2>/dev/null; then
    die "cannot make network namespaces here (a container without CAP_SYS_ADMIN?)"
  fi
  ip netns del "$prefix-probe"
}

# tbf on both ends of a host's link: the host's eth0 shapes what it sends, the switch port what
# it receives. burst: a few ms of the rate, at least 32 KiB.
shape_host() {
  local host=$1 r
  r=$(rate "$2")
  ip netns exec "$(ns "$host")" tc qdisc replace dev eth0 root tbf rate "$r" burst 256kb latency 50ms
  ip netns exec "$switch" tc qdisc replace dev "p-$host" root tbf rate "$r" burst 256kb latency 50ms
}

# PERCENT (0 to 100, two decimals) of the packets each host sends are dropped; 0 removes the rule.
loss() {
  local percent=$1 host per10k
  [[ $percent =~ ^[0-9]+(\.[0-9]{1,2})?$ ]] || die "PERCENT must be a number from 0 to 100, got '$percent'"
  per10k=$(awk -v p="$percent" 'BEGIN { printf "%d", p * 100 + 0.5 }')
  ((per10k <= 10000)) || die "PERCENT must be a number from 0 to 100, got '$percent'"
  if ((per10k > 0)); then
    command -v nft >/dev/null || die "loss needs nftables (apt-get install nftables)"
  fi
  for host in $(hosts); do
    ip netns exec "$(ns "$host")" nft delete table inet "$prefix" 2>/dev/null || true
    ((per10k > 0)) || continue
    ip netns exec "$(ns "$host")" nft -f - <<EOF
table inet $prefix {
  chain loss {
    type filter hook output priority 0; policy accept;
    numgen random mod 10000 < $per10k counter drop
  }
}
EOF
  done
  echo "$percent" > "$state/loss"
}

profile_loss() { [[ $1 == lossy ]] && echo 1 || echo 0; }

up() {
  local workers=${1:-3} profile=${2:-lan}
  rate "$profile" >/dev/null
  [[ $workers =~ ^[0-9]+$ && $workers -ge 1 ]] || die "WORKERS must be a positive number, got '$workers'"
  require
  [[ -e $state ]] && die "a cluster is up already ($state); scripts/netcluster.sh down first"
  mkdir -p "$state"
  echo "$workers" > "$state/workers"
  echo "$profile" > "$state/profile"
  ip netns add "$switch"
  ip -n "$switch" link add br0 type bridge
  ip -n "$switch" link set br0 up
  ip -n "$switch" link set lo up
  local host
  for host in $(hosts); do
    ip netns add "$(ns "$host")"
    ip link add "p-$host" netns "$switch" type veth peer name eth0 netns "$(ns "$host")"
    ip -n "$switch" link set "p-$host" master br0 up
    ip -n "$(ns "$host")" addr add "$(address "$host")/24" dev eth0
    ip -n "$(ns "$host")" link set eth0 up
    ip -n "$(ns "$host")" link set lo up
    shape_host "$host" "$profile"
  done
  loss "$(profile_loss "$profile")"
  status
}

down() {
  if [[ -e $state/pids ]]; then
    while read -r pid; do kill "$pid" 2>/dev/null || true; done < "$state/pids"
  fi
  local n
  for n in $(ip netns list | awk '{print $1}' | grep "^$prefix-" || true); do
    ip netns pids "$n" 2>/dev/null | xargs -r kill -9 2>/dev/null || true
    ip netns del "$n"
  done
  rm -rf "$state"
}

status() {
  [[ -e $state ]] || { echo "no cluster"; return 0; }
  echo "profile $(cat "$state/profile") ($(rate "$(cat "$state/profile")") each way per host, $(cat "$state/loss" 2>/dev/null || echo 0)% loss)"
  local host
  for host in $(hosts); do
    echo "$host $(address "$host") namespace $(ns "$host") link $(ip -n "$(ns "$host")" -br link show eth0 | awk '{print $2}')"
  done
}

spark() {
  [[ -e $state ]] || die "no cluster; scripts/netcluster.sh up first"
  [[ -d $here/target/lib ]] || die "no $here/target/lib; build it with: mvn -q -DskipTests package"
  local java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" opens
  opens=$(sed -n 's/^spark.driver.extraJavaOptions *//p' "$here/conf/spark-defaults.conf")
  local master="spark://$(address driver):7077"
  # A Spark home whose jars/ is target/lib: the workers' launcher builds executors' class path
  # from it, as on a Spark installation.
  mkdir -p "$state/spark-home"
  ln -sfn "$here/target/lib" "$state/spark-home/jars"
  export SPARK_HOME="$state/spark-home" SPARK_SCALA_VERSION=2.13
  export JAVA_HOME="${JAVA_HOME:-$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")}"
  # shellcheck disable=SC2086
  ip netns exec "$(ns driver)" env SPARK_LOCAL_IP="$(address driver)" "$java_bin" -Xmx256m $opens \
    -Dspark.master.rest.enabled=false -cp "$here/target/lib/*" org.apache.spark.deploy.master.Master \
    --host "$(address driver)" --port 7077 --webui-port 8080 > "$state/master.log" 2>&1 &
  echo $! >> "$state/pids"
  local host
  for host in $(hosts); do
    [[ $host == driver ]] && continue
    mkdir -p "$state/$host"
    # shellcheck disable=SC2086
    ip netns exec "$(ns "$host")" env SPARK_LOCAL_IP="$(address "$host")" SPARK_LOCAL_DIRS="$state/$host" \
      "$java_bin" -Xmx256m $opens -cp "$here/target/lib/*" org.apache.spark.deploy.worker.Worker \
      "$master" --host "$(address "$host")" --cores 1 --memory 2g --webui-port 8081 \
      --work-dir "$state/$host" > "$state/$host.log" 2>&1 &
    echo $! >> "$state/pids"
  done
  # Ready once every worker has registered with the master.
  local waited=0 workers
  workers=$(cat "$state/workers")
  until (($(grep -c "Registering worker" "$state/master.log" || true) >= workers)); do
    ((waited++ < 120)) || die "only $(grep -c "Registering worker" "$state/master.log") of $workers workers registered in 60 s; see $state/*.log"
    sleep 0.5
  done
  echo "master $master, $workers workers; logs in $state"
}

# spark-submit from the driver host to its master: conf/spark-defaults.conf, 1 GiB executors, then
# the caller's spark-submit options, the jar ($RNNLM_JAR, else target/spark-rnn-lm.jar) and the
# command.
submit() {
  [[ -e $state/pids ]] || die "no Spark on the cluster; scripts/netcluster.sh spark first"
  local submit_opts=()
  while (($#)) && [[ $1 != -- ]]; do submit_opts+=("$1"); shift; done
  (($# >= 2)) || die "usage: scripts/netcluster.sh submit [SPARK-SUBMIT OPTIONS] -- COMMAND [OPTIONS]"
  shift
  local java_bin="${JAVA_HOME:+$JAVA_HOME/bin/}java" opens
  opens=$(sed -n 's/^spark.driver.extraJavaOptions *//p' "$here/conf/spark-defaults.conf")
  # shellcheck disable=SC2086
  ip netns exec "$(ns driver)" env SPARK_LOCAL_IP="$(address driver)" OPENBLAS_NUM_THREADS=1 \
    "$java_bin" -Xmx${NETCLUSTER_DRIVER_HEAP:-2g} $opens -cp "$here/target/lib/*" \
    org.apache.spark.deploy.SparkSubmit --properties-file "$here/conf/spark-defaults.conf" \
    --master "spark://$(address driver):7077" --executor-memory 1g ${submit_opts[@]+"${submit_opts[@]}"} \
    "${RNNLM_JAR:-$here/target/spark-rnn-lm.jar}" "$@"
}

cmd=${1:-}
shift || true
case $cmd in
  up) up "$@" ;;
  down) down ;;
  status) status ;;
  shape)
    [[ -e $state ]] || die "no cluster; scripts/netcluster.sh up first"
    rate "${1:-}" >/dev/null
    for host in $(hosts); do shape_host "$host" "$1"; done
    loss "$(profile_loss "$1")"
    echo "$1" > "$state/profile"
    status ;;
  spark) spark ;;
  submit) submit "$@" ;;
  exec)
    host=${1:?exec needs a HOST}; shift
    exec ip netns exec "$(ns "$host")" "$@" ;;
  loss)
    [[ -e $state ]] || die "no cluster; scripts/netcluster.sh up first"
    loss "${1:?loss needs a PERCENT}"; status ;;
  cut) ip -n "$switch" link set "p-${1:?cut needs a HOST}" down ;;
  heal) ip -n "$switch" link set "p-${1:?heal needs a HOST}" up ;;
  bytes)
    ip netns exec "$(ns "${1:?bytes needs a HOST}")" cat /sys/class/net/eth0/statistics/rx_bytes \
      /sys/class/net/eth0/statistics/tx_bytes | paste -sd' ' ;;
  *) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; [[ -z $cmd || $cmd == -h || $cmd == --help ]] || exit 2 ;;
esac
