#!/usr/bin/env bash
# The release build of deskd (and of the other products named): into .build-release, one section
# per function, so that the link puts the code a run enters together (Sources/deskd/deskd.order and
# deskd.ld, written by scripts/order-file.py from the link map each product's link leaves in
# .build-release/PRODUCT.map; the link settings in Package.swift; docs/deployment.md).
#
#   scripts/build-release.sh              # deskd
#   scripts/build-release.sh deskd deskcli
#
# Every script that builds into .build-release builds through this one: a build with other flags
# would compile every module again. Swift's compiler keeps an object file whose code is unchanged
# without generating it anew, sections and all, so a .build-release once built without these flags
# needs its objects removed (find .build-release -name '*.swift.o' -delete) before they take effect.
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[[ ${#products[@]} -eq 0 ]] && products=(deskd)
# The build does not know the link reads deskd.order and deskd.ld: a binary older than either is
# removed, so that it is linked again.
for order in Sources/deskd/deskd.order Sources/deskd/deskd.ld; do
  if [[ $order -nt .build-release/release/deskd ]]; then rm -f .build-release/release/deskd; fi
done
for product in "${products[@]}"; do
  swift build -c release --scratch-path .build-release --product "$product" \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
    -Xlinker "-Map=$PWD/.build-release/$product.map"
done
