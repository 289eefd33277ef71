#!/usr/bin/env bash
# Stops the cluster that up.sh started under DIR: cancels its jobs (their slurmstepd processes would
# outlive slurmd), then stops slurmd, slurmctld and munged by their pid files, killing any that hang.
#
#   scripts/slurm-local/down.sh DIR    (or SLURM_LOCAL_DIR=DIR)
set -uo pipefail

dir=$(realpath -m "${1:-${SLURM_LOCAL_DIR:?usage: down.sh DIR (or set SLURM_LOCAL_DIR)}}")
export SLURM_CONF="$dir/etc/slurm.conf"

pid_of() {
  local pid
  pid=$(cat "$dir/run/$1.pid" 2>/dev/null) || return 1
  [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$1" ]] && echo "$pid"
}

if jobs=$(timeout 10 squeue --noheader --format=%A 2>/dev/null) && [[ -n "$jobs" ]]; then
  # shellcheck disable=SC2086 # one job id per word
  scancel $jobs
  for _ in $(seq 100); do
    [[ -z "$(timeout 3 squeue --noheader --states=R,CG --format=%A 2>/dev/null)" ]] && break
    sleep 0.1
  done
fi

pids=()
for daemon in slurmd slurmctld munged; do
  pid=$(pid_of "$daemon") && pids+=("$pid")
done
if ((${#pids[@]} > 0)); then
  kill -TERM "${pids[@]}" 2>/dev/null
  for _ in $(seq 100); do
    left=()
    for pid in "${pids[@]}"; do
      [[ -d /proc/$pid ]] && ! grep -q '^State:[[:space:]]*Z' "/proc/$pid/status" 2>/dev/null && left+=("$pid")
    done
    ((${#left[@]} == 0)) && break
    sleep 0.1
  done
  ((${#left[@]} > 0)) && kill -KILL "${left[@]}" 2>/dev/null
fi
rm -f "$dir"/run/*.pid
exit 0
