#!/usr/bin/env bash
# The packages, built and used as an administrator would (as root, on Debian 12):
#   bash tests/package.sh
# Builds the .deb (cargo-deb) and the .rpm (rpmbuild) and checks their
# contents; installs the .rpm into a scratch root and erases it again;
# installs the .deb with apt-get on this machine and runs the cluster tools
# against the installed copy (crm_resource, pcs, crm, man, ocf-tester in a
# namespace pair with a real container); purges it and checks that nothing is
# left. Needs tests/env/packages.sh, a dockerd (tests/env/dockerd.sh start)
# and the test image (tests/env/image.sh): a missing one is a failure.
# Uses the machine's OCF path: whatever was there before (the copy the Rust
# tests install) is put back at the end. tests/run.sh calls this after the
# cargo tests.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:$HOME/.cargo/bin:$PATH
export DEBIAN_FRONTEND=noninteractive

PKG=ocf-croit-container
AGENT=/usr/lib/ocf/resource.d/croit/container
MANPAGE=/usr/share/man/man7/ocf_croit_container.7.gz
DOC=/usr/share/doc/$PKG
DOCKER=${CROIT_TEST_DOCKER_HOST:-unix:///var/run/docker.sock}
IMAGE=croit-test/busybox:latest
NS=ctpkg$$ # tests/run.sh's cleanup removes ct*- namespaces a crash leaves
CTR=croit-pkg-$$
WORK=$(mktemp -d /tmp/croit-pkg.XXXXXX)
BACKUP=
passed=0
t0=$(date +%s)

fail() {
  echo "FAIL: $*" >&2
  exit 1
}
ok() {
  echo "ok: $*"
  passed=$((passed + 1))
}
# Runs a command, keeps its output in $WORK/out, fails with it shown.
must() {
  if ! "$@" >"$WORK/out" 2>&1; then
    cat "$WORK/out" >&2
    fail "$*"
  fi
}
installed() { dpkg-query -W -f='${Status}' "$PKG" 2>/dev/null | grep -q "install ok installed"; }

cleanup() {
  rc=$?
  set +e
  docker -H "$DOCKER" rm -f "$CTR" >/dev/null 2>&1
  ip netns del "$NS-node" 2>/dev/null
  ip netns del "$NS-peer" 2>/dev/null
  if installed; then apt-get purge -y -q "$PKG" >/dev/null 2>&1; fi
  if [ -n "$BACKUP" ] && [ -e "$BACKUP" ]; then
    mkdir -p "$(dirname "$AGENT")" && mv -f "$BACKUP" "$AGENT"
  fi
  rm -rf "$WORK"
  exit $rc
}
trap cleanup EXIT

[ "$(id -u)" = 0 ] || fail "tests/package.sh needs root (apt-get, the OCF path, namespaces)"
for t in cargo dpkg-deb apt-get rpmbuild rpm crm_resource pcs crm man ocf-tester xmllint jq docker ip lintian rpmlint; do
  command -v "$t" >/dev/null || fail "$t missing: run tests/env/packages.sh"
done
timeout 10 docker -H "$DOCKER" version >/dev/null 2>&1 || fail "no dockerd on $DOCKER: run tests/env/dockerd.sh start"
docker -H "$DOCKER" image inspect "$IMAGE" >/dev/null 2>&1 || fail "$IMAGE missing: run tests/env/image.sh"

VERSION=$(cargo metadata --no-deps --format-version 1 --locked |
  jq -r ".packages[] | select(.name == \"$PKG\") | .version")
[ -n "$VERSION" ] || fail "no version for $PKG in cargo metadata"
debian_version=$(sed -n '1s/^[^ ]* (\([^)]*\)).*/\1/p' packaging/debian/changelog)
[ "$debian_version" = "$VERSION-1" ] ||
  fail "packaging/debian/changelog is at $debian_version, Cargo.toml at $VERSION: add an entry"

# A package left by a crashed run goes first; an agent someone copied to the
# OCF path (tests/run.sh's Rust tests do) is set aside and put back at the end.
if installed; then
  echo "purging $PKG left from an earlier run"
  must apt-get purge -y -q "$PKG"
fi
if [ -e "$AGENT" ]; then
  BACKUP=$WORK/agent.before
  mv -f "$AGENT" "$BACKUP"
fi
rmdir /usr/lib/ocf/resource.d/croit 2>/dev/null || true
croit_dir_before=$([ -d /usr/lib/ocf/resource.d/croit ] && echo kept || echo none)

# ---------------------------------------------------------------- the .deb
echo "== building the .deb (cargo-deb)"
start=$(date +%s)
DEB=$(bash packaging/build-deb.sh | tail -n 1)
echo "built $DEB in $(($(date +%s) - start)) s"
[ -f "$DEB" ] || fail "no .deb at '$DEB'"

field() { dpkg-deb -f "$DEB" "$1"; }
[ "$(field Package)" = "$PKG" ] || fail "Package: $(field Package)"
[ "$(field Version)" = "$VERSION-1" ] || fail "Version $(field Version), Cargo.toml says $VERSION"
[ "$(field Enhances)" = pacemaker ] || fail "Enhances: $(field Enhances)"
# The agent is linked statically (agents/build.sh): nothing is needed at run
# time, and dpkg-shlibdeps must have found no shared library to depend on.
[ -z "$(field Depends)$(field Recommends)$(field Pre-Depends)" ] ||
  fail "dependencies declared: Depends '$(field Depends)' Recommends '$(field Recommends)' Pre-Depends '$(field Pre-Depends)'"
dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./${AGENT#/}" >"$WORK/agent"
file "$WORK/agent" | grep -q 'static-pie linked' || fail "packaged agent is not statically linked: $(file "$WORK/agent")"
ok "control: $PKG $(field Version), no Depends (static binary), Enhances: pacemaker"

dpkg-deb -c "$DEB" | awk '{print $1, $6}' >"$WORK/deb.list"
expect_in_deb() { # mode path
  grep -qxF -- "$1 ./${2#/}" "$WORK/deb.list" || { cat "$WORK/deb.list" >&2; fail "$2 not in the .deb with mode $1"; }
}
expect_in_deb -rwxr-xr-x "$AGENT"
expect_in_deb -rw-r--r-- "$MANPAGE"
expect_in_deb -rw-r--r-- "$DOC/README.md"
for page in docs/*.md; do expect_in_deb -rw-r--r-- "$DOC/$page"; done
expect_in_deb -rw-r--r-- "$DOC/changelog.gz"
expect_in_deb -rw-r--r-- "$DOC/changelog.Debian.gz"
expect_in_deb -rw-r--r-- "$DOC/copyright"
expect_in_deb -rw-r--r-- /usr/share/lintian/overrides/$PKG
files=$(grep -vc '^d' "$WORK/deb.list")
want=$((7 + $(ls docs/*.md | wc -l)))
[ "$files" = "$want" ] || { cat "$WORK/deb.list" >&2; fail "$files files in the .deb, expected $want"; }
dpkg-deb --fsys-tarfile "$DEB" | tar -xO "./${MANPAGE#/}" | gunzip | cmp - agents/ocf_croit_container.7 ||
  fail "the packaged man page is not agents/ocf_croit_container.7"
ok "the .deb holds the agent (0755), the gzipped man page, README and docs/, changelogs, copyright and lintian overrides, nothing else"
# Debian policy: no lintian error or warning; the overrides shipped in the
# package (packaging/debian/lintian-overrides) each say why.
lintian --allow-root --fail-on error,warning "$DEB" >"$WORK/lintian.out" 2>&1 ||
  { cat "$WORK/lintian.out" >&2; fail "lintian found errors or warnings"; }
ok "lintian: no error, no warning ($(grep -c '^ocf' packaging/debian/lintian-overrides) overrides, each with its reason)"

# ---------------------------------------------------------------- the .rpm
echo "== building the .rpm (rpmbuild -bb from the release binary)"
RPM=$(bash packaging/build-rpm.sh | tail -n 1)
[ -f "$RPM" ] || fail "no .rpm at '$RPM'"
[ "$(rpm -qp --qf '%{NAME} %{VERSION}' "$RPM")" = "$PKG $VERSION" ] ||
  fail "rpm is $(rpm -qp --qf '%{NAME} %{VERSION}' "$RPM"), Cargo.toml says $VERSION"
[ "$(rpm -qp --enhances "$RPM")" = pacemaker ] || fail "rpm Enhances: $(rpm -qp --enhances "$RPM")"
# rtld(GNU_HASH): the binary's hash section style, provided by every glibc.
rpm -qpR "$RPM" | grep -Ev '^(rpmlib\(|rtld\(GNU_HASH\)$)' >"$WORK/rpm.req" || true
[ ! -s "$WORK/rpm.req" ] || { cat "$WORK/rpm.req" >&2; fail "rpm requires a library (the agent is static)"; }
rpm -qlpv "$RPM" | awk '{print $1, $NF}' | sort >"$WORK/rpm.list"
sort >"$WORK/rpm.want" <<EOF
-rw-r--r-- /usr/share/doc/$PKG/CHANGELOG.md
-rw-r--r-- /usr/share/doc/$PKG/README.md
-rw-r--r-- /usr/share/licenses/$PKG/LICENSE
-rw-r--r-- $MANPAGE
-rwxr-xr-x $AGENT
drwxr-xr-x /usr/lib/ocf/resource.d/croit
drwxr-xr-x /usr/share/doc/$PKG
drwxr-xr-x /usr/share/licenses/$PKG
drwxr-xr-x /usr/share/doc/$PKG/docs
$(for page in docs/*.md; do echo "-rw-r--r-- /usr/share/doc/$PKG/$page"; done)
EOF
diff -u "$WORK/rpm.want" "$WORK/rpm.list" || fail "rpm -qlpv differs from the expected file list"
ok "rpm -qlpv: the agent (0755), man page, README and docs/, changelog, license; no Requires (static); Enhances pacemaker"
rpmlint -r packaging/rpm/ocf-croit-container.rpmlintrc "$RPM" >"$WORK/rpmlint.out" 2>&1 || true
grep -q ' 0 errors, 0 warnings' "$WORK/rpmlint.out" ||
  { cat "$WORK/rpmlint.out" >&2; fail "rpmlint found errors or warnings"; }
ok "rpmlint: 0 errors, 0 warnings (filters in packaging/rpm/ocf-croit-container.rpmlintrc, each with its reason)"

# The .rpm installed into a scratch root (no scriptlets; --nodeps: the
# scratch root's rpm database holds no libc) and erased again.
R=$WORK/rpmroot
must rpm --root "$R" --initdb
must rpm --root "$R" -i --nodeps "$RPM"
[ "$(stat -c %a "$R$AGENT")" = 755 ] || fail "rpm-installed agent mode $(stat -c %a "$R$AGENT")"
"$R$AGENT" meta-data | cmp - agents/container.xml || fail "rpm-installed agent's meta-data differs"
must rpm --root "$R" -e "$PKG"
left=$(find "$R/usr" -type f 2>/dev/null | wc -l)
[ "$left" = 0 ] || fail "rpm -e left $left files under $R/usr"
ok "rpm -i into a scratch root gives a working agent; rpm -e leaves no file"

# -------------------------------------------------- installed on this machine
echo "== apt-get install ./$(basename "$DEB")"
must apt-get install -y -q -o DPkg::Lock::Timeout=300 "$DEB"
installed || fail "$PKG not installed after apt-get install"
[ "$(dpkg -S "$AGENT" | cut -d: -f1)" = "$PKG" ] || fail "$AGENT is not owned by $PKG"
[ "$(stat -c '%a %U' "$AGENT")" = "755 root" ] || fail "installed agent: $(stat -c '%a %U' "$AGENT")"
ok "apt-get install: $AGENT owned by $PKG, mode 0755"

# crm_resource says it speaks OCF 1.1 (OCF_RA_VERSION_MAJOR/MINOR): it gets
# the 1.1 form, with reload-agent and reloadable (ra-api's version rule).
must crm_resource --show-metadata ocf:croit:container
diff -u agents/container-ocf1.1.xml "$WORK/out" ||
  fail "crm_resource --show-metadata differs from agents/container-ocf1.1.xml"
ok "crm_resource --show-metadata ocf:croit:container is agents/container-ocf1.1.xml (the OCF 1.1 form)"

PARAMS=$(xmllint --xpath '//parameter/@name' agents/container.xml | sed 's/ name="\([^"]*\)"/\1\n/g' | grep -v '^$')
[ "$(echo "$PARAMS" | wc -l)" -ge 10 ] || fail "parameters not read from agents/container.xml: $PARAMS"
shows_every_param() { # what file
  for p in $PARAMS; do grep -qw -- "$p" "$2" || fail "$1 does not show parameter $p"; done
}

must pcs resource describe ocf:croit:container
cp "$WORK/out" "$WORK/pcs-describe.txt"
shows_every_param "pcs resource describe" "$WORK/pcs-describe.txt"
grep -q "Resource options:" "$WORK/pcs-describe.txt" || fail "pcs resource describe: no 'Resource options:'"
echo "---- pcs resource describe ocf:croit:container"
cat "$WORK/pcs-describe.txt"
echo "----"
ok "pcs resource describe ocf:croit:container exits 0 and lists every parameter"

# crmsh keeps state under $HOME (~/.config/crm, ~/.cache/crm): give it its own.
export HOME_CRM=$WORK/crm-home
mkdir -p "$HOME_CRM"
crm_() { HOME=$HOME_CRM timeout 120 crm "$@"; }
must crm_ ra info ocf:croit:container
cp "$WORK/out" "$WORK/crm-info.txt"
shows_every_param "crm ra info" "$WORK/crm-info.txt"
grep -q "ocf:croit:container" "$WORK/crm-info.txt" || fail "crm ra info does not name the agent"
grep -q "ip\* (string)" "$WORK/crm-info.txt" || fail "crm ra info does not mark ip as required"
ok "crm ra info ocf:croit:container lists every parameter, ip required"

# The README's "Quick start with crm" commands, run by crm against an offline
# CIB: crm checks the syntax and every parameter name against the installed
# agent's meta-data.
awk '/^## Quick start with crm/{s=1; next} /^## /{s=0} s && /^```/{b=!b; next} s && b' README.md |
  sed -e ':a' -e '/\\$/N; s/\\\n//; ta' | grep '^crm configure ' >"$WORK/crm-quickstart" ||
  fail "no 'crm configure' command in README.md's 'Quick start with crm'"
cibadmin --empty >"$WORK/cib.xml"
export CIB_file=$WORK/cib.xml
must crm_ configure property stonith-enabled=false
while read -r cmd; do
  echo "+ $cmd"
  must env HOME="$HOME_CRM" bash -c "$cmd"
done <"$WORK/crm-quickstart"
prim=$(xmllint --xpath 'count(//primitive[@class="ocf" and @provider="croit" and @type="container"])' "$CIB_file")
[ "$prim" -ge 1 ] || fail "README's crm commands created no ocf:croit:container primitive"
if crm_ configure primitive p_bad ocf:croit:container params ip=192.0.2.10/24 no_such_param=1 >"$WORK/out" 2>&1; then
  fail "crm accepted an unknown parameter: it does not check against our meta-data"
fi
grep -q 'no_such_param' "$WORK/out" || fail "crm's refusal does not name the parameter: $(cat "$WORK/out")"
unset CIB_file
ok "README's crm quick start is accepted by crm configure (offline CIB); an unknown parameter is refused"

for how in "man -l $MANPAGE" "man 7 ocf_croit_container"; do
  LC_ALL=C.UTF-8 MANPAGER=cat MANWIDTH=100 $how >"$WORK/man.txt" 2>"$WORK/man.err" || fail "$how: $(cat "$WORK/man.err")"
  [ -s "$WORK/man.txt" ] || fail "$how printed nothing"
  [ ! -s "$WORK/man.err" ] || fail "$how warned: $(cat "$WORK/man.err")"
  shows_every_param "$how" "$WORK/man.txt"
  grep -q "SUPPORTED PARAMETERS" "$WORK/man.txt" || fail "$how: no SUPPORTED PARAMETERS"
done
ok "man -l $MANPAGE and man 7 ocf_croit_container show every parameter"

# ocf-tester on the installed path, in a namespace pair (the NIC and its
# peer) with a real container, as tests/tools.rs does for the built binary.
must ip netns add "$NS-node"
must ip netns add "$NS-peer"
must ip link add eth0 netns "$NS-node" type veth peer name eth0 netns "$NS-peer"
for ns in "$NS-node" "$NS-peer"; do
  must ip -n "$ns" link set lo up
  must ip -n "$ns" link set eth0 up
done
must docker -H "$DOCKER" create --name "$CTR" --label croit-test=1 --network none "$IMAGE" \
  sh -c "trap 'exit 0' TERM; while :; do sleep 0.1; done"
ip netns exec "$NS-node" ocf-tester -n pkgtest -o ip=192.0.2.10/24 -o nic=eth0 -o "container=$CTR" \
  -o "docker_host=$DOCKER" -o arp_interval=10 "$AGENT" >"$WORK/ocf-tester.txt" 2>&1 ||
  { cat "$WORK/ocf-tester.txt" >&2; fail "ocf-tester on $AGENT"; }
grep -q "passed all tests" "$WORK/ocf-tester.txt" || { cat "$WORK/ocf-tester.txt" >&2; fail "ocf-tester did not pass"; }
[ "$(docker -H "$DOCKER" inspect -f '{{.State.Running}}' "$CTR")" = false ] || fail "container left running"
ok "ocf-tester passes on the installed $AGENT (real container, namespace pair)"
docker -H "$DOCKER" rm -f "$CTR" >/dev/null
ip netns del "$NS-node"
ip netns del "$NS-peer"

# ---------------------------------------------------------------- purge
echo "== apt-get purge -y $PKG"
must apt-get purge -y -q -o DPkg::Lock::Timeout=300 "$PKG"
! installed || fail "$PKG still installed after purge"
for f in "$AGENT" "$MANPAGE" "$DOC"; do
  [ ! -e "$f" ] || fail "$f left after purge"
done
if [ "$croit_dir_before" = none ] && [ -e /usr/lib/ocf/resource.d/croit ]; then
  fail "/usr/lib/ocf/resource.d/croit left after purge: $(ls -A /usr/lib/ocf/resource.d/croit)"
fi
if dpkg -L "$PKG" >"$WORK/out" 2>/dev/null && [ -s "$WORK/out" ]; then
  fail "dpkg -L $PKG still lists: $(cat "$WORK/out")"
fi
[ -z "$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | tr -d ' ')" ] ||
  [ "$(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG" 2>/dev/null | tr -d ' ')" = un ] ||
  fail "dpkg still knows $PKG: $(dpkg-query -W -f='${db:Status-Abbrev}' "$PKG")"
ok "apt-get purge leaves no agent, man page or doc directory; dpkg -L lists nothing"

echo "tests/package.sh took $(($(date +%s) - t0)) s"
echo "package: $passed passed, 0 failed"
