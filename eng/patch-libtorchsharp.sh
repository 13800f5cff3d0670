#!/usr/bin/env bash
# Makes the copy of TorchSharp's libLibTorchSharp.so in a build output folder load on Debian 12.
#
# TorchSharp 0.107 ships a libLibTorchSharp.so built with GCC 13: it needs GLIBCXX_3.4.32 for one
# symbol, std::ios_base_library_init(), and Debian 12's libstdc++ (GCC 12) lacks that version. The fix:
#   1. drop the version from that symbol (patchelf --clear-symbol-version),
#   2. mark the GLIBCXX_3.4.32 version need weak, so glibc loads the library anyway,
#   3. define the symbol in a tiny libiosshim.so beside it and add that as a dependency.
# Only the copy in the given output folder is changed, never the NuGet cache. Nothing happens when the
# library already loads (a newer distribution) or was patched before.
#
# Usage: eng/patch-libtorchsharp.sh OUTPUT_DIR   (e.g. bin/Release/net10.0)
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
output_dir="${1:?usage: patch-libtorchsharp.sh OUTPUT_DIR}"

[[ "$(uname -s)" == Linux && "$(uname -m)" == x86_64 ]] || exit 0

# Portable builds put the natives under runtimes/linux-x64/native; RID-specific builds beside the app.
targets=()
for candidate in "$output_dir/runtimes/linux-x64/native/libLibTorchSharp.so" "$output_dir/libLibTorchSharp.so"; do
  [[ -f "$candidate" ]] && targets+=("$candidate")
done
[[ ${#targets[@]} -gt 0 ]] || exit 0

apt_install() {
  local package="$1"
  echo "patch-libtorchsharp: installing $package"
  if [[ "$(id -u)" != 0 ]]; then
    echo "patch-libtorchsharp: $package is missing; run 'sudo apt-get install $package' and build again" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  local apt=(apt-get -o DPkg::Lock::Timeout=300 -y -qq) log
  # A fresh machine has no package lists yet: update and try again.
  if ! log="$("${apt[@]}" install "$package" 2>&1)"; then
    if ! log="$("${apt[@]}" update 2>&1 && "${apt[@]}" install "$package" 2>&1)"; then
      echo "patch-libtorchsharp: could not install $package:" >&2
      echo "$log" >&2
      exit 1
    fi
  fi
}

require() {
  local command="$1" package="$2"
  command -v "$command" >/dev/null 2>&1 || apt_install "$package"
}

# ldd reports a missing version or library as "not found"; a missing weak version does not stop loading.
loads() { ! ldd "$1" 2>&1 | grep 'not found' | grep -qv 'weak version'; }

# The real test: the dynamic loader opens the library with all its dependencies.
opens() { python3 -c 'import ctypes, sys; ctypes.CDLL(sys.argv[1])' "$1" 2>&1; }

patch_one() {
  local library="$1"
  local dir cache
  dir="$(dirname "$library")"
  # The last patched copy and the checksums of what it was made from and what it became. The build
  # copies the original over the patched file again on every build; restoring from here is a copy.
  cache="$dir/libLibTorchSharp.debian12"

  local current
  current="$(sha256sum "$library" | cut -d' ' -f1)"
  if [[ -f "$dir/libiosshim.so" && -f "$cache/patched.sha256" ]]; then
    if [[ "$current" == "$(cat "$cache/patched.sha256")" ]]; then
      return 0
    fi
    if [[ "$current" == "$(cat "$cache/original.sha256")" ]]; then
      cp "$cache/libLibTorchSharp.so" "$library.patching"
      mv -f "$library.patching" "$library"
      return 0
    fi
  fi
  if loads "$library"; then
    return 0
  fi

  require python3 python3
  require patchelf patchelf
  require gcc gcc

  # Edit a private copy: an output file hard-linked to the package cache must not change the cache.
  local work="$library.patching"
  cp "$library" "$work"
  patchelf --clear-symbol-version _ZSt21ios_base_library_initv "$work"
  python3 "$here/mark-glibcxx-weak.py" "$work"
  gcc -shared -fPIC -O2 -o "$dir/libiosshim.so" "$here/iosshim.c"
  patchelf --add-needed libiosshim.so --set-rpath '$ORIGIN' "$work"
  mv -f "$work" "$library"

  local failure
  if ! failure="$(opens "$library")"; then
    echo "patch-libtorchsharp: $library still does not load: $failure" >&2
    exit 1
  fi

  mkdir -p "$cache"
  cp "$library" "$cache/libLibTorchSharp.so"
  echo "$current" >"$cache/original.sha256"
  sha256sum "$library" | cut -d' ' -f1 >"$cache/patched.sha256"
  echo "patch-libtorchsharp: patched $library"
}

for library in "${targets[@]}"; do
  # Parallel builds of one project share the output folder.
  mkdir -p "$(dirname "$library")/libLibTorchSharp.debian12"
  exec {lock}>"$(dirname "$library")/libLibTorchSharp.debian12/lock"
  flock "$lock"
  patch_one "$library"
  flock -u "$lock"
  exec {lock}>&-
done
