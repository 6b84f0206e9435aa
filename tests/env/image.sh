#!/usr/bin/env bash
# The test image, built without any registry: a busybox-static root imported
# with `docker import` as croit-test/busybox:latest.
#   tests/env/image.sh           build it unless present
#   tests/env/image.sh remove    remove it
#   tests/env/image.sh rootfs    write the root as a tar to stdout (tests/env/podman.sh
#                                imports the same root into Podman)
set -euo pipefail
IMAGE=croit-test/busybox:latest

# The busybox-static root: /bin with every applet, passwd, group, /tmp.
rootfs_tar() {
  local bb root
  bb=$(command -v busybox || true)
  [ -n "$bb" ] && file -L "$bb" 2>/dev/null | grep -q static || bb=/bin/busybox
  [ -x "$bb" ] || { echo "busybox missing: install busybox-static" >&2; exit 1; }
  root=$(mktemp -d /tmp/croit-test-rootfs.XXXXXX)
  # shellcheck disable=SC2064
  trap "rm -rf '$root'" EXIT
  mkdir -p "$root"/{bin,tmp,proc,sys,dev,etc,www,run}
  cp "$bb" "$root/bin/busybox"
  for a in $("$root/bin/busybox" --list); do [ -e "$root/bin/$a" ] || ln -s busybox "$root/bin/$a"; done
  echo 'root:x:0:0:root:/:/bin/sh' >"$root/etc/passwd"
  echo 'root:x:0:' >"$root/etc/group"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c .
}

case "${1:-}" in
remove) docker rmi -f "$IMAGE" >/dev/null 2>&1 || true ;;
rootfs) rootfs_tar ;;
"")
  if docker image inspect "$IMAGE" >/dev/null 2>&1; then echo "image $IMAGE present"; exit 0; fi
  rootfs_tar | docker import --change 'CMD ["/bin/sh"]' --change 'ENV PATH=/bin' - "$IMAGE" >/dev/null
  echo "imported $IMAGE"
  ;;
*) echo "usage: $0 [remove|rootfs]" >&2; exit 2 ;;
esac
