#!/bin/sh
# prereqs.sh installs what `make test` needs besides Go and make, so that
# on a fresh machine `make test` is all it takes:
#
#   git        the backtest's tests check their patches with git apply
#   node, npm  the core's tests run again as WebAssembly under Node.js, and
#              npm installs the test tools of package.json (axe-core, the
#              Nu Html Checker, wrangler) and the email domain lists
#   chromium   the site's and the widget's browser tests drive it
#   java       the Nu Html Checker runs on it
#
# Missing system packages are installed with apt-get when this runs as root
# or with passwordless sudo; otherwise it prints one line naming them and
# exits 1. Then npm ci runs when node_modules is missing or older than
# package.json or package-lock.json. Run it from anywhere: `make prereqs`.
set -eu
cd "$(dirname "$0")/.."

# wrangler's own minimum (node_modules/wrangler/package.json, engines).
node_min=20.3

# find_missing sets missing to the Debian packages of the tools not found.
find_missing() {
	missing=""
	command -v git >/dev/null 2>&1 || missing="$missing git"
	command -v node >/dev/null 2>&1 || missing="$missing nodejs"
	command -v npm >/dev/null 2>&1 || missing="$missing npm"
	# internal/browsertest drives Debian's Chromium at this path.
	[ -x /usr/bin/chromium ] || missing="$missing chromium"
	command -v java >/dev/null 2>&1 || missing="$missing default-jre-headless"
	missing=${missing# }
}
find_missing

if [ -n "$missing" ]; then
	sudo=""
	if [ "$(id -u)" != 0 ] && command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
		sudo="sudo"
	fi
	if command -v apt-get >/dev/null 2>&1 && { [ "$(id -u)" = 0 ] || [ -n "$sudo" ]; }; then
		echo "make test: installing$( [ -n "$sudo" ] && echo ' with sudo'): $missing"
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq
		# shellcheck disable=SC2086 # one word per package
		$sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
		find_missing
		if [ -n "$missing" ]; then
			echo "make test needs: $missing — apt-get installed the packages, yet these are still missing (Chromium must be at /usr/bin/chromium)" >&2
			exit 1
		fi
	elif command -v apt-get >/dev/null 2>&1; then
		echo "make test needs: $missing — run: sudo apt-get install -y $missing" >&2
		exit 1
	else
		echo "make test needs: $missing (Debian's package names; Chromium at /usr/bin/chromium, Node.js $node_min or newer, a Java runtime)" >&2
		exit 1
	fi
fi

# Debian 12's Node.js is 18: too old for wrangler.
node_version=$(node --version)
if ! node -e '
	const [maj, min] = process.versions.node.split(".").map(Number);
	const [wantMaj, wantMin] = process.argv[1].split(".").map(Number);
	process.exit(maj > wantMaj || (maj === wantMaj && min >= wantMin) ? 0 : 1);
' "$node_min"; then
	echo "make test needs: Node.js $node_min or newer (wrangler), found $node_version — install it from https://nodejs.org/en/download (or NodeSource's Debian packages)" >&2
	exit 1
fi

# npm ci writes node_modules/.package-lock.json last.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ] || [ package.json -nt "$stamp" ]; then
	echo "make test: npm ci (the test tools of package.json)"
	npm ci --no-audit --no-fund
fi
