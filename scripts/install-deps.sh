#!/usr/bin/env bash
# Installs the Debian packages memvisor needs to build, test and benchmark.
# Idempotent: does nothing when everything is present; runs `apt-get update`
# only when a package is missing. See DESIGN.md, "Dependencies".
set -euo pipefail

PKGS=(
  build-essential pkg-config
  linux-libc-dev        # linux/kvm.h
  libxxhash-dev         # XXH3 page hashing (ksm/)
  check                 # unit tests
  libjansson-dev        # QMP JSON
  libxml2-dev           # run --config: libvirt domain XML
  libvirt-clients       # virsh; virt-xml-validate checks configs/*.xml
  libvirt-dev           # ctl --connect: libvirt's C API
  libvirt-daemon libvirt-daemon-driver-qemu  # the libvirt test's private libvirtd
  qemu-system-x86       # reference VMM
  acpica-tools          # iasl, to validate ACPI tables
  python3
  python3-pytest python3-pytest-timeout  # integration test runner
  python3-pexpect       # integration tests: the guest console
  socat                 # driving QMP sockets by hand (README)
  valgrind              # callgrind instruction counts (make bench)
  gnuplot-nox           # bench density's plot (docs/bench/)
  clang                 # make fuzz: libFuzzer harnesses (clang 14 on bookworm)
  libclang-rt-14-dev    # libFuzzer, ASan and UBSan runtimes for clang 14
)

missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" \
    || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
