#!/usr/bin/env bash
# The release build of deskd (and of the other products named): into .build-release, the Swift
# runtime and Foundation linked in (--static-swift-stdlib: no dynamic symbol lookups at start, and
# their code laid out with deskd's), one section per function, so that the link puts the code a run
# enters together (Sources/deskd/deskd.order and deskd.ld, written by scripts/order-file.py from the
# link map each product's link leaves in .build-release/PRODUCT.map; the link settings in
# Package.swift; docs/deployment.md).
#
#   scripts/build-release.sh              # deskd
#   scripts/build-release.sh deskd deskcli
#
# Every script that builds into .build-release builds through this one: a build with other flags
# would compile every module again. Swift's compiler keeps an object file whose code is unchanged
# without generating it anew (it compares a hash of the code), sections and all, so the objects
# of a .build-release built before without these flags are removed once, marked by a stamp file.
set -euo pipefail
cd "$(dirname "$0")/.."
products=("$@")
[[ ${#products[@]} -eq 0 ]] && products=(deskd)
stamp=.build-release/function-sections
if [[ -d .build-release && ! -e $stamp ]]; then
  find .build-release -name '*.swift.o' -delete
fi
mkdir -p .build-release
touch "$stamp"
for product in "${products[@]}"; do
  # The build does not know deskd's link reads deskd.order and deskd.ld: a deskd older than either
  # is removed, so that it is linked again.
  for order in Sources/deskd/deskd.order Sources/deskd/deskd.ld; do
    if [[ $product == deskd && $order -nt .build-release/release/deskd ]]; then rm -f .build-release/release/deskd; fi
  done
  swift build -c release --scratch-path .build-release --product "$product" --static-swift-stdlib \
    -Xswiftc -Xfrontend -Xswiftc -function-sections -Xcc -ffunction-sections \
    -Xlinker "-Map=$PWD/.build-release/$product.map"
done
