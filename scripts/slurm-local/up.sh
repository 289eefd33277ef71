#!/usr/bin/env bash
# Starts a private one-node SLURM cluster (munged, slurmctld, slurmd from Debian's packages) whose
# config, key, sockets, spool and logs all live under one folder, for tests that submit real job arrays.
# It touches no system configuration and needs no systemd.
#
#   scripts/slurm-local/up.sh DIR      (or SLURM_LOCAL_DIR=DIR)
#
# The last line printed is `export SLURM_CONF=DIR/etc/slurm.conf`: every SLURM client needs it.
# Running it again while the daemons live only waits for the node; a start from cold wipes DIR's old state.
# Ports: SLURM_LOCAL_CTLD_PORT (default 16817) and SLURM_LOCAL_SLURMD_PORT (default 16818).
set -euo pipefail

dir=$(realpath -m "${1:-${SLURM_LOCAL_DIR:?usage: up.sh DIR (or set SLURM_LOCAL_DIR)}}")
conf="$dir/etc/slurm.conf"
export SLURM_CONF="$conf"
node=$(hostname -s)

# A daemon counts as running when its pid file names a live process of that name. Killed daemons can
# linger as zombies (PID 1 reaps late here), so a zombie counts as gone.
running() {
  local pid
  pid=$(cat "$dir/run/$1.pid" 2>/dev/null) || return 1
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1" ]] || return 1
  ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null
}

# sinfo blocks for seconds when slurmctld is down, hence a deadline rather than a count of tries.
wait_for_node() {
  local deadline=$((SECONDS + 30)) state
  while ((SECONDS < deadline)); do
    state=$(timeout 3 sinfo --noheader --nodes="$node" --format=%t 2>/dev/null || true)
    case "$state" in idle | mix | alloc) return 0 ;; esac
    sleep 0.2
  done
  echo "up.sh: the node never became idle; the logs are in $dir/log" >&2
  return 1
}

alive=0
for daemon in munged slurmctld slurmd; do
  running "$daemon" && alive=$((alive + 1))
done
if ((alive == 3)); then
  wait_for_node
  echo "export SLURM_CONF=$conf"
  exit 0
elif ((alive > 0)); then
  echo "up.sh: only some daemons of $dir run; stop them with down.sh $dir first" >&2
  exit 1
fi

rm -rf "$dir/etc" "$dir/munge" "$dir/run" "$dir/spool"
mkdir -p "$dir/etc" "$dir/run" "$dir/spool/ctld" "$dir/spool/d" "$dir/log"
# munged wants its key private, but its socket in a folder others can enter: key in munge/, socket in run/.
mkdir -m 700 "$dir/munge"
head -c 1024 /dev/urandom >"$dir/munge/munge.key"
chmod 400 "$dir/munge/munge.key"

user=$(id -un)
memory_mb=$(($(free -m | awk '/^Mem:/ { print $2 }') * 95 / 100))
# proctrack/linuxproc and task/none work without cgroups; cons_tres with CR_Core gives one array task per
# core; accounting is off (no slurmdbd) and jobcomp/filetxt keeps one line per finished job instead;
# MinJobAge keeps finished jobs visible to `scontrol show job` for ten minutes; KillWait=5 makes scancel quick.
cat >"$conf" <<CONF
ClusterName=seedlocal
SlurmctldHost=$node(127.0.0.1)
SlurmctldPort=${SLURM_LOCAL_CTLD_PORT:-16817}
SlurmdPort=${SLURM_LOCAL_SLURMD_PORT:-16818}
SlurmUser=$user
SlurmdUser=$user
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/run/munge.socket
MailProg=/bin/true
StateSaveLocation=$dir/spool/ctld
SlurmdSpoolDir=$dir/spool/d
SlurmctldPidFile=$dir/run/slurmctld.pid
SlurmdPidFile=$dir/run/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
MpiDefault=none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SchedulerType=sched/backfill
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/filetxt
JobCompLoc=$dir/log/jobcomp.txt
ReturnToService=2
KillWait=5
MinJobAge=600
NodeName=$node NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$memory_mb State=UNKNOWN
PartitionName=main Nodes=ALL Default=YES MaxTime=INFINITE State=UP
CONF

# --force: munged otherwise refuses to run as root.
munged --force --key-file="$dir/munge/munge.key" --socket="$dir/run/munge.socket" \
  --pid-file="$dir/run/munged.pid" --seed-file="$dir/munge/munged.seed" --log-file="$dir/log/munged.log"
slurmctld
slurmd
wait_for_node
echo "export SLURM_CONF=$conf"
