#!/usr/bin/env bash
# fresh-check.sh checks that a clone needs nothing but Go and make: it
# clones the repository into a temporary directory and there, as on a
# fresh machine (an empty HOME, empty Go module and build caches, no
# node_modules, an environment holding only PATH and proxy settings), runs
# `make dev` until the site's home page and /healthz answer, stops it, and
# runs `make test`, printing the wall time of each.
#
#   scripts/fresh-check.sh [--worktree] [--remove-system] [--no-test] [--keep]
#
#   --worktree       check the working tree (tracked and untracked files, as
#                    git add -A would commit them) instead of HEAD
#   --remove-system  (root, or passwordless sudo) after make dev, purge the
#                    system packages make test installs: Chromium and the
#                    Java runtime; make test must install them again. Node.js
#                    stays: Debian 12's own is too old for wrangler, so apt
#                    could not bring the one installed back. Other users of
#                    the machine lose Chromium and Java until then.
#   --no-test        stop after make dev
#   --keep           keep the temporary directory (kept anyway on failure)
#
# On two cores, with the Go caches empty (every package, the wasm builds
# and the tests compile from scratch; npm ci fetches wrangler and workerd):
# make dev answers after 1-2.5 minutes, make test takes about 4 minutes on
# a quiet machine and several times that on a busy one.
set -euo pipefail

worktree=false remove_system=false run_test=true keep=false
for arg in "$@"; do
	case $arg in
	--worktree) worktree=true ;;
	--remove-system) remove_system=true ;;
	--no-test) run_test=false ;;
	--keep) keep=true ;;
	-h | --help)
		sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
		exit 0
		;;
	*)
		echo "fresh-check: unknown argument $arg (see --help)" >&2
		exit 2
		;;
	esac
done

repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/winnow-fresh.XXXXXX")
dev_pid=""
failed=true
cleanup() {
	if [ -n "$dev_pid" ]; then
		kill -TERM -- "-$dev_pid" 2>/dev/null || true
		wait "$dev_pid" 2>/dev/null || true
	fi
	if $remove_system && { [ ! -x /usr/bin/chromium ] || ! command -v java >/dev/null; }; then
		echo "fresh-check: Chromium or Java is missing: make test (or scripts/prereqs.sh) installs them" >&2
	fi
	if $keep || $failed; then
		echo "fresh-check: kept $tmp (logs: $tmp/*.log)"
	else
		chmod -R u+w "$tmp" 2>/dev/null || true # the module cache is read-only
		rm -rf "$tmp"
	fi
}
trap cleanup EXIT

declare -a times=()
timed() { # timed LABEL SECONDS
	times+=("$(printf '  %-34s %6ss' "$1" "$2")")
}

# remove_system purges the packages of Chromium and of the Java runtime.
remove_system() {
	local sudo="" pkgs="" java start
	if [ "$(id -u)" != 0 ]; then
		sudo -n true 2>/dev/null || {
			echo "fresh-check: --remove-system needs root or passwordless sudo" >&2
			exit 1
		}
		sudo=sudo
	fi
	[ -e /usr/bin/chromium ] && pkgs="$pkgs $(dpkg -S /usr/bin/chromium | cut -d: -f1)"
	if java=$(command -v java); then
		pkgs="$pkgs $(dpkg -S "$(readlink -f "$java")" | cut -d: -f1)"
	fi
	dpkg -s default-jre-headless >/dev/null 2>&1 && pkgs="$pkgs default-jre-headless"
	pkgs=$(echo $pkgs | tr ' ' '\n' | sort -u | tr '\n' ' ')
	if [ -n "${pkgs// /}" ]; then
		echo "fresh-check: purging $pkgs"
		start=$SECONDS
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq $pkgs >"$tmp/purge.log" 2>&1
		timed "apt-get purge $pkgs" $((SECONDS - start))
	fi
	if [ -e /usr/bin/chromium ] || command -v java >/dev/null; then
		echo "fresh-check: Chromium or Java is still installed after the purge" >&2
		exit 1
	fi
}

src=$tmp/winnow
git clone -q --no-hardlinks "$repo" "$src"
what="HEAD $(git -C "$src" rev-parse --short HEAD)"
if $worktree; then
	# The working tree's files over the clone's, as git add -A would have them.
	(cd "$repo" && git ls-files -z -co --exclude-standard | tar --null -T - --ignore-failed-read -cf - 2>/dev/null) | tar -xf - -C "$src"
	(cd "$repo" && git ls-files -z -d) | (cd "$src" && xargs -0 -r rm -f)
	git -C "$src" add -A
	what="the working tree over $what"
fi
mkdir -p "$tmp/home"

# A fresh machine's environment: nothing but PATH, the proxies, and Go's
# and npm's registries if set here.
fresh_env=(env -i "PATH=$PATH:/usr/local/go/bin" "HOME=$tmp/home" "TMPDIR=${TMPDIR:-/tmp}"
	"GOMODCACHE=$tmp/gomodcache" "GOCACHE=$tmp/gocache" "GOPATH=$tmp/gopath")
for v in http_proxy https_proxy no_proxy HTTP_PROXY HTTPS_PROXY NO_PROXY GOPROXY GOSUMDB GONOSUMDB GOPRIVATE npm_config_registry; do
	if [ -n "${!v:-}" ]; then fresh_env+=("$v=${!v}"); fi
done
echo "fresh-check: $what in $src, HOME=$tmp/home, empty Go caches, no node_modules"

# http_ok PORT PATH: whether GET PATH answers 200.
http_ok() {
	(
		exec 3<>"/dev/tcp/127.0.0.1/$1" || exit 1
		printf 'GET %s HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n' "$2" >&3
		IFS= read -r status <&3
		[[ $status == *" 200 "* ]]
	) 2>/dev/null
}

# A port nothing listens on.
port=""
for _ in $(seq 50); do
	p=$((20000 + RANDOM % 40000))
	if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
		port=$p
		break
	fi
done
[ -n "$port" ] || {
	echo "fresh-check: no free port found" >&2
	exit 1
}

echo "fresh-check: make dev DEV_ADDR=127.0.0.1:$port (log: $tmp/dev.log)"
start=$SECONDS
(cd "$src" && exec setsid "${fresh_env[@]}" make dev "DEV_ADDR=127.0.0.1:$port") >"$tmp/dev.log" 2>&1 &
dev_pid=$!
until http_ok "$port" / && http_ok "$port" /healthz; do
	if ! kill -0 "$dev_pid" 2>/dev/null; then
		echo "fresh-check: make dev exited before it answered:" >&2
		tail -30 "$tmp/dev.log" >&2
		exit 1
	fi
	if [ $((SECONDS - start)) -gt 1800 ]; then
		echo "fresh-check: make dev did not answer in 30 minutes" >&2
		tail -30 "$tmp/dev.log" >&2
		exit 1
	fi
	sleep 1
done
timed "make dev (until / and /healthz)" $((SECONDS - start))
echo "fresh-check: make dev answered on 127.0.0.1:$port after $((SECONDS - start))s: / and /healthz 200"
kill -TERM -- "-$dev_pid"
wait "$dev_pid" 2>/dev/null || true
dev_pid=""

status=0
if $run_test; then
	# Purged only now, so that Chromium and Java are gone for as short a
	# time as make test takes to install them again (make dev needs neither).
	if $remove_system; then remove_system; fi
	echo "fresh-check: make test (log: $tmp/test.log)"
	start=$SECONDS
	(cd "$src" && "${fresh_env[@]}" make test) 2>&1 | tee "$tmp/test.log" || status=$?
	timed "make test" $((SECONDS - start))
fi

echo "fresh-check: $what"
printf '%s\n' "${times[@]}"
if [ $status != 0 ]; then
	echo "fresh-check: make test failed" >&2
	exit 1
fi
failed=false
echo "fresh-check: ok"
