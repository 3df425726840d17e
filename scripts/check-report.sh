#!/bin/sh
# Renders an HTML report in headless Chromium, takes a screenshot, and fails when the page logged console
# errors or CSP refusals, or when no screenshot came out. Usage: check-report.sh HTML_FILE [SCREENSHOT.png]
set -u

fail() { echo "check-report: $*" >&2; exit 1; }

[ $# -ge 1 ] && [ $# -le 2 ] || { echo "usage: $0 HTML_FILE [SCREENSHOT.png]" >&2; exit 64; }
html=$1
[ -s "$html" ] || fail "no HTML at $html (missing or empty)"
html_abs=$(cd "$(dirname "$html")" && pwd)/$(basename "$html")
shot=${2:-${html%.*}.png}
case $shot in /*) ;; *) shot=$(pwd)/$shot ;; esac

browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
    # Debian's chromium; as root directly, otherwise through sudo.
    if [ "$(id -u)" -eq 0 ]; then sudo=""; elif command -v sudo >/dev/null; then sudo="sudo"; else
        fail "chromium is not installed and neither root nor sudo is available to install it"; fi
    echo "check-report: installing chromium with apt-get" >&2
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null 2>&1
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null 2>&1 \
        || fail "apt-get install chromium failed"
    browser=$(command -v chromium) || fail "chromium still not found after apt-get install"
fi

log=$(mktemp "${TMPDIR:-/tmp}/check-report.XXXXXX.log")
profile=$(mktemp -d "${TMPDIR:-/tmp}/check-report-profile.XXXXXX")
trap 'rm -rf "$log" "$profile"' EXIT
rm -f "$shot"

# A test runner may start us with signals blocked; timeout sends KILL if chromium hangs regardless.
# Debian's Chromium logs console messages (as INFO:CONSOLE, without their level) only from --v=1 on.
timeout -s KILL 120 "$browser" --headless=new --no-sandbox --disable-gpu --enable-logging=stderr --v=1 \
    --user-data-dir="$profile" --no-first-run --hide-scrollbars \
    --screenshot="$shot" --window-size=1400,2200 "file://$html_abs" >"$log" 2>&1
status=$?

# The report has no scripts, so any console message is a failure: a CSP refusal, a resource that did not
# load, an error.
errors=$(grep -E ':CONSOLE|CONSOLE\(|Refused to|Uncaught|violates the following Content Security Policy' "$log" \
    | sed -e 's/^\[[^]]*\] *//' | head -n 1 | cut -c 1-300)
[ -z "$errors" ] || fail "console message: $errors"
[ -s "$shot" ] || fail "no screenshot at $shot (chromium exit $status): $(tail -n 1 "$log")"
echo "$shot"
