#!/usr/bin/env bash
# Soak the real binary: `swimtop --level LEVEL --speed max` in a tmux pane
# for SECONDS, sampling once a second its resident memory (from /proc) and
# its own health line (accounting identity, records held, frame times) from
# its log file; then quits it with `q` and checks the exit summary and that
# the terminal left the alternate screen.
#
#   scripts/soak_tui.sh [SECONDS=600] [LEVEL=3] [extra swimtop args...]
#
# Prints the figures and writes every sample to target/soak-tui-L<LEVEL>.csv.
# Exits 1 if the identity broke, a frame took over 50 ms, memory kept
# growing, or the terminal was not restored. Needs tmux.
set -euo pipefail

seconds="${1:-600}"
level="${2:-3}"
shift $(( $# > 2 ? 2 : $# ))
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
command -v tmux >/dev/null || { echo "soak_tui: needs tmux" >&2; exit 2; }

cargo build --release --locked --quiet
bin="$root/target/release/swimtop"
work="$(mktemp -d /tmp/swimtop-soak.XXXXXX)"
session="swimtop-soak-$$"
log="$work/swimtop.log"
csv="$root/target/soak-tui-L$level.csv"
trap 'tmux kill-session -t "$session" 2>/dev/null || true' EXIT

tmux new-session -d -s "$session" -x 200 -y 60 \
    "$bin --level $level --speed max --log-file $log $* 2>$work/stderr; echo \$? >$work/exit"
tmux set-option -t "$session" remain-on-exit on >/dev/null
shell="$(tmux display -p -t "$session" '#{pane_pid}')"
pid=""
for _ in $(seq 1 100); do
    pid="$(pgrep -P "$shell" -x swimtop || true)"
    [[ -n "$pid" ]] && break
    sleep 0.1
done
[[ -n "$pid" ]] || { echo "soak_tui: swimtop did not start" >&2; exit 1; }
echo "soak_tui: swimtop pid $pid, level $level, ${seconds}s, log $log" >&2

echo "t_s,rss_kib,health" >"$csv"
start=$(date +%s)
while :; do
    now=$(date +%s)
    t=$((now - start))
    [[ $t -ge $seconds ]] && break
    rss=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status" 2>/dev/null || echo "")
    if [[ -z "$rss" ]]; then
        echo "soak_tui: swimtop exited early:" >&2
        cat "$work/stderr" >&2
        exit 1
    fi
    health=$(grep 'swimtop::health' "$log" 2>/dev/null | tail -1 | sed 's/.*swimtop::health: //' || true)
    echo "$t,$rss,\"$health\"" >>"$csv"
    [[ $((t % 60)) -eq 0 ]] && echo "soak_tui: ${t}s rss ${rss} KiB · $health" >&2
    sleep 1
done

tmux send-keys -t "$session" q
for _ in $(seq 1 100); do
    [[ -s "$work/exit" ]] && break
    sleep 0.1
done
dead="$([[ -e /proc/$pid ]] && echo 0 || echo 1)/$(cat "$work/exit" 2>/dev/null)/$(tmux display -p -t "$session" '#{alternate_on}')"

python3 - "$csv" "$log" "$work/stderr" "$dead" "$seconds" <<'PY'
import csv, re, sys
path, log, stderr, dead, seconds = sys.argv[1:]
rows = list(csv.DictReader(open(path)))
rss = [(int(r["t_s"]), int(r["rss_kib"]) / 1024) for r in rows if r["rss_kib"]]
health = [l.split("swimtop::health: ", 1)[1].strip() for l in open(log) if "swimtop::health" in l]
broken = [h for h in health if "identity=ok" not in h]
def field(h, k):
    m = re.search(rf"\b{k}=(\d+)", h)
    return int(m.group(1)) if m else 0
last = health[-1] if health else ""
history = field(last, "history") or 1
live_max = max((field(h, "live") for h in health), default=0)
third = max(1, len(rss) // 3)
half = rss[len(rss) // 2:]
n = len(half)
mx = sum(t for t, _ in half) / n
my = sum(m for _, m in half) / n
sxx = sum((t - mx) ** 2 for t, _ in half) or 1
slope = sum((t - mx) * (m - my) for t, m in half) / sxx * 60
at = lambda s: next((f"{m:.0f}" for t, m in rss if t >= s), "-")
summary = open(stderr).read().strip()
over = re.search(r"(\d+) over 50 ms", summary)
over = int(over.group(1)) if over else -1
d, status, alt = dead.split("/")
print(f"soak_tui ({seconds} s, pane 200x60):")
print(f"  health samples {len(health)} · identity held at {len(health) - len(broken)} of {len(health)}")
print(f"  records held: max {live_max} ({live_max / history:.2f}x the history budget {history})")
print(f"  last sample: {last}")
print(f"  RSS MiB at 10 s {at(10)} · 60 s {at(60)} · 300 s {at(300)} · end {rss[-1][1]:.0f}")
print(f"  RSS max first third {max(m for _, m in rss[:third]):.1f} MiB · last third {max(m for _, m in rss[-third:]):.1f} MiB · slope over last half {slope:+.3f} MiB/min")
print("  exit summary: " + summary.replace("\n", "\n                "))
print(f"  swimtop gone {d}, exit status {status}, alternate screen {'on' if alt == '1' else 'off'} after exit")
growing = slope > 1.0 and len(rss) >= 120
ok = not broken and health and over == 0 and d == "1" and status == "0" and alt != "1" and not growing
if growing:
    print("  memory kept growing over the last half")
sys.exit(0 if ok else 1)
PY
