#!/usr/bin/env bash
# Site build benchmark: Winnow against Hugo on the same corpus, interleaved.
#
#   bench/site.sh [PAGES...]        default: 1000 10000
#   bench/site.sh edit [PAGES]      default: 10000
#
# For each corpus size it builds the corpus with `winnow build` and with
# `hugo --minify` ROUNDS times (default 3), alternating, and prints wall
# time, CPU time (user+sys) and peak RSS of each run, then the medians and
# the ratios: pages per CPU-second, pages per wall-second and peak RSS.
# Hugo v0.165.0 is built from source with `go install` when it is missing.
#
# With edit, it starts `winnow dev` and `hugo server --minify` on the
# corpus and edits one page of each in turn, EDITS times (default 15):
# bench/siteedit prints how long each took from the write until the page
# was served with the edit, and the medians.
#
# The corpora and outputs go to tmpfs (/dev/shm) when there is one, as in
# the measurements this compares with: on a virtual disk the kernel's cost of
# making 10,000 directories and files varies from run to run by more than
# either tool's own work (WORK=dir overrides).
set -euo pipefail
cd "$(dirname "$0")/.."
mode=build
if [ "${1:-}" = edit ]; then
  mode=edit
  shift
fi
sizes=("$@")
if [ $# -eq 0 ]; then
  sizes=(1000 10000)
  [ $mode = build ] || sizes=(10000)
fi
rounds=${ROUNDS:-3}
tmp=/tmp
[ -d /dev/shm ] && [ -w /dev/shm ] && tmp=/dev/shm
if [ -n "${WORK:-}" ]; then
  work=$WORK
else
  work=$(mktemp -d "$tmp/winnow-bench.XXXXXX")
  trap 'rm -rf "$work"' EXIT
fi
hugo=${HUGO:-$(go env GOPATH)/bin/hugo}

if [ ! -x "$hugo" ]; then
  echo "building Hugo v0.165.0 (once; several minutes)..." >&2
  CGO_ENABLED=0 go install github.com/gohugoio/hugo@v0.165.0
fi
go build -trimpath -o "$work/winnow" ./cmd/winnow

if [ $mode = edit ]; then
  go build -o "$work/siteedit" ./bench/siteedit
  for n in "${sizes[@]}"; do
    corpus="$work/corpus-$n"
    go run ./bench/sitegen -pages "$n" -out "$corpus" -repo . >&2
    echo "== $n pages: from the write of one page until it is served"
    "$work/siteedit" -corpus "$corpus" -winnow "$work/winnow" -hugo "$hugo" -edits "${EDITS:-15}" -work "$work"
  done
  exit 0
fi

# run NAME DIR COMMAND...: one timed build; prints "NAME wall cpu rss_kb".
run() {
  local name=$1 dir=$2; shift 2
  rm -rf "$dir/out"
  if ! /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" "$@" >"$work/run.log" 2>&1; then
    echo "$name failed:" >&2
    tail -5 "$work/run.log" >&2
    exit 1
  fi
  read -r wall user sys rss <"$work/time.txt"
  echo "$name $wall $(echo "$user + $sys" | bc) $rss"
}

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

for n in "${sizes[@]}"; do
  corpus="$work/corpus-$n"
  go run ./bench/sitegen -pages "$n" -out "$corpus" -repo . >&2
  results="$work/results-$n"
  : >"$results"
  for r in $(seq "$rounds"); do
    run winnow "$corpus/winnow" "$work/winnow" build --out "$corpus/winnow/out" --static "$corpus/winnow/static" "$corpus/winnow/content" | tee -a "$results"
    run hugo "$corpus/hugo" "$hugo" --minify --quiet -s "$corpus/hugo" -d "$corpus/hugo/out" | tee -a "$results"
  done
  echo "== $n pages, median of $rounds runs"
  printf '%-8s %10s %10s %12s\n' tool wall_s cpu_s peak_rss_mb
  for tool in winnow hugo; do
    w=$(awk -v t=$tool '$1==t {print $2}' "$results" | median)
    c=$(awk -v t=$tool '$1==t {print $3}' "$results" | median)
    m=$(awk -v t=$tool '$1==t {print $4}' "$results" | median)
    printf '%-8s %10s %10s %12.1f\n' "$tool" "$w" "$c" "$(echo "$m / 1024" | bc -l)"
    eval "${tool}_w=$w ${tool}_c=$c ${tool}_m=$m"
  done
  printf 'pages per CPU-second: winnow %.0f, hugo %.0f, ratio %.2f×\n' \
    "$(echo "$n / $winnow_c" | bc -l)" "$(echo "$n / $hugo_c" | bc -l)" "$(echo "$hugo_c / $winnow_c" | bc -l)"
  printf 'pages per wall-second: winnow %.0f, hugo %.0f, ratio %.2f×\n' \
    "$(echo "$n / $winnow_w" | bc -l)" "$(echo "$n / $hugo_w" | bc -l)" "$(echo "$hugo_w / $winnow_w" | bc -l)"
  printf 'peak RSS: winnow / hugo = %.2f\n' "$(echo "$winnow_m / $hugo_m" | bc -l)"
done
