#!/usr/bin/env bash
# What the ARM builds and their tests under emulation need (idempotent; scripts/test-arm.sh):
# - the Rust targets armv7-unknown-linux-gnueabihf and aarch64-unknown-linux-gnu;
# - Debian's cross compilers (the linkers .cargo/config.toml names) and qemu-user;
# - the ARM C libraries the emulated programs load, as Debian multiarch packages (libc6, and
#   libssl3 / libsqlite3-0 / libstdc++6, which SoftHSM2's library needs);
# - SoftHSM2's PKCS#11 library for each ARM architecture, unpacked into target/arm/softhsm-<arch>
#   (not installed: Debian's libsofthsm2 is not co-installable across architectures, and the
#   x86 tests need the x86 one). The token files it reads are the same on every architecture.
set -euo pipefail
cd "$(dirname "$0")/.."

sudo=""
[[ $(id -u) -eq 0 ]] || sudo="sudo"

if command -v rustup >/dev/null 2>&1; then
  installed=$(rustup target list --installed 2>/dev/null || true)
  for target in armv7-unknown-linux-gnueabihf aarch64-unknown-linux-gnu; do
    grep -q "^$target\$" <<<"$installed" || rustup target add "$target"
  done
fi

packages=()
command -v arm-linux-gnueabihf-gcc >/dev/null 2>&1 || packages+=(gcc-arm-linux-gnueabihf libc6-armhf-cross)
command -v aarch64-linux-gnu-gcc >/dev/null 2>&1 || packages+=(gcc-aarch64-linux-gnu libc6-arm64-cross)
command -v qemu-arm >/dev/null 2>&1 || packages+=(qemu-user)
foreign=$(dpkg --print-foreign-architectures)
updated=false
for arch in armhf arm64; do
  if ! grep -qx "$arch" <<<"$foreign"; then
    $sudo dpkg --add-architecture "$arch"
  fi
  for lib in libc6 libssl3 libsqlite3-0 libstdc++6; do
    dpkg -s "$lib:$arch" >/dev/null 2>&1 || packages+=("$lib:$arch")
  done
done
if ((${#packages[@]})); then
  echo "== installing ${packages[*]} (apt-get)"
  $sudo apt-get update -qq
  updated=true
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${packages[@]}" >/dev/null
fi

mkdir -p target/arm
for arch in armhf arm64; do
  root="target/arm/softhsm-$arch"
  if [[ ! -d "$root/usr/lib" ]]; then
    echo "== unpacking libsofthsm2:$arch into $root"
    $updated || { $sudo apt-get update -qq; updated=true; }
    rm -rf target/arm/debs && mkdir -p target/arm/debs
    (cd target/arm/debs && apt-get download -q "libsofthsm2:$arch" >/dev/null 2>&1)
    dpkg -x target/arm/debs/libsofthsm2_*_"$arch".deb "$root"
    rm -rf target/arm/debs
  fi
done
