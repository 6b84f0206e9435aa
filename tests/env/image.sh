#!/usr/bin/env bash
# The test image, built without any registry: a busybox-static root imported
# with `docker import` as croit-test/busybox:latest.
#   tests/env/image.sh           build it unless present
#   tests/env/image.sh remove    remove it
set -euo pipefail
IMAGE=croit-test/busybox:latest
if [ "${1:-}" = remove ]; then docker rmi -f "$IMAGE" >/dev/null 2>&1 || true; exit 0; fi
if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "image $IMAGE present"; exit 0; fi
BB=$(command -v busybox || true)
[ -n "$BB" ] && file -L "$BB" 2>/dev/null | grep -q static || BB=/bin/busybox
[ -x "$BB" ] || { echo "busybox missing: install busybox-static" >&2; exit 1; }
ROOT=$(mktemp -d /tmp/croit-test-rootfs.XXXXXX)
trap 'rm -rf "$ROOT"' EXIT
mkdir -p "$ROOT"/{bin,tmp,proc,sys,dev,etc,www,run}
cp "$BB" "$ROOT/bin/busybox"
for a in $("$ROOT/bin/busybox" --list); do [ -e "$ROOT/bin/$a" ] || ln -s busybox "$ROOT/bin/$a"; done
echo 'root:x:0:0:root:/:/bin/sh' >"$ROOT/etc/passwd"
echo 'root:x:0:' >"$ROOT/etc/group"
chmod 1777 "$ROOT/tmp"
tar -C "$ROOT" -c . | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
echo "imported $IMAGE"
