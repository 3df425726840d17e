#!/usr/bin/env bash
# make check-static: the release binary must run where the Swift toolchain's libraries cannot be found.
#  1. ldd lists no Swift runtime library (libswift*, Foundation, dispatch, BlocksRuntime);
#  2. it runs with the toolchain's library directory hidden: under a private mount namespace with an empty
#     tmpfs over that directory when the kernel allows it (root), else by showing with LD_DEBUG that the
#     loader never opens anything from that directory.
set -euo pipefail
BIN=${1:?usage: check-static.sh PATH/TO/kiqprof}
fail() { echo "check-static: $*" >&2; exit 1; }

echo "\$ ldd $BIN"
ldd "$BIN" | sed 's/^/  /'
if ldd "$BIN" | grep -Eq 'libswift|libFoundation|libdispatch|libBlocksRuntime|lib_Foundation'; then
  fail "the binary links Swift runtime libraries dynamically (build it with --static-swift-stdlib)"
fi
ldd "$BIN" | grep -q 'not found' && fail "a library is missing: $(ldd "$BIN" | grep 'not found')"

SWIFT_BIN=$(command -v swift || true)
TOOLCHAIN_LIB=""
[ -n "$SWIFT_BIN" ] && TOOLCHAIN_LIB=$(cd "$(dirname "$(readlink -f "$SWIFT_BIN")")/../lib/swift/linux" 2>/dev/null && pwd || true)
[ -n "$TOOLCHAIN_LIB" ] || { echo "no Swift toolchain found: nothing to hide, and ldd shows no Swift library"; "$BIN" --version; exit 0; }

if unshare --mount --propagation private true 2>/dev/null; then
  echo "\$ unshare --mount: empty tmpfs over $TOOLCHAIN_LIB, then kiqprof --version and a command"
  unshare --mount --propagation private sh -c "mount -t tmpfs none '$TOOLCHAIN_LIB' && ls -A '$TOOLCHAIN_LIB' | wc -l | grep -qx 0 && '$BIN' --version && '$BIN' incident --db /tmp/kiqprof-check-static.sqlite >/dev/null 2>&1; [ \$? -le 1 ]" \
    || fail "it does not run with $TOOLCHAIN_LIB hidden"
  rm -f /tmp/kiqprof-check-static.sqlite*
else
  echo "(no mount namespace here) \$ LD_DEBUG=libs kiqprof --version: nothing may be opened from $TOOLCHAIN_LIB"
  LD_DEBUG=libs "$BIN" --version 2> /tmp/kiqprof-ld-debug.txt
  grep -q "$TOOLCHAIN_LIB" /tmp/kiqprof-ld-debug.txt && fail "the loader opened $(grep -m1 "$TOOLCHAIN_LIB" /tmp/kiqprof-ld-debug.txt)"
fi
echo "check-static: ok: $(du -h "$BIN" | cut -f1) binary, no Swift runtime library needed"
