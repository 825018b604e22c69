#!/usr/bin/env bash
# Does `pip install cxr-edge` (the device part) resolve to binary wheels on every target?
# Asks PyPI for the wheels each target needs with `pip download --only-binary=:all:`; installs nothing.
# Usage: scripts/check-platforms.sh            (prints one line per target and package)
set -u
PIP=${PIP:-python3 -m pip}
tags() { local arch=$1 out=""; for n in $(seq 17 39); do out="$out --platform manylinux_2_${n}_${arch}"; done
         [ "$arch" = armv7l ] && out="$out --platform linux_armv7l"; [ "$arch" = x86_64 ] && out="$out --platform manylinux2014_x86_64"; echo "$out"; }
check() {  # python arch requirement
  local d; d=$(mktemp -d)
  if $PIP download -q --only-binary=:all: --no-deps -d "$d" --python-version "$1" --implementation cp $(tags "$2") "$3" >/dev/null 2>&1; then
    echo "ok      cp$1 $2  $3 -> $(ls "$d")"
  else
    echo "MISSING cp$1 $2  $3 (no binary wheel on PyPI)"
  fi
  rm -rf "$d"
}
for py in 3.10 3.11 3.12 3.13; do
  for arch in x86_64 aarch64; do
    for req in "ai-edge-litert>=2" "numpy>=1.23" "pillow>=10.1"; do check "$py" "$arch" "$req"; done
  done
done
for req in "tflite-runtime==2.14.*" "numpy<2" "pillow>=10.1"; do check 3.11 armv7l "$req"; done
