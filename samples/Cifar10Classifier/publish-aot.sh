#!/usr/bin/env bash
# Publishes the CIFAR-10 classifier sample with NativeAOT twice (the default instruction set, and
# IlcInstructionSet=native), builds it for the JIT, runs the three on the same test images and prints a
# Markdown table: binary size, cold start to the first prediction, peak memory, throughput, and whether the
# logits are bit-identical to the JIT's. Fails if a publish reports a trim or AOT warning.
#
#   samples/Cifar10Classifier/publish-aot.sh [CHECKPOINT]
#
# Without CHECKPOINT a small one is trained first with the CLI (one epoch on 4096 images). DATA (default
# ../shared/data beside the repository) is the folder that holds cifar-10-batches-bin/; OUT (default
# artifacts/aot) receives the builds; IMAGES (default 10000) and RUNS (default 5, cold starts timed) tune the run.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
data="${DATA:-$repo/../shared/data}"
out="${OUT:-$repo/artifacts/aot}"
images="${IMAGES:-10000}"
runs="${RUNS:-5}"
project=samples/Cifar10Classifier/Cifar10Classifier.csproj
mkdir -p "$out"

checkpoint="${1:-}"
if [ -z "$checkpoint" ]; then
  checkpoint="$out/trained/checkpoint.safetensors"
  if [ ! -f "$checkpoint" ]; then
    echo "training a small checkpoint into $out/trained"
    rm -rf "$out/trained"
    dotnet run -c Release --project src/FastLoss.Cli -- train --data "$data" --epochs 1 --limit-train 4096 \
      --limit-test 256 --out "$out/trained" --plain >"$out/train.log"
  fi
fi

publish() { # name, extra msbuild arguments...
  local name="$1"; shift
  rm -rf "$out/$name"
  dotnet publish "$project" -c Release -r linux-x64 -o "$out/$name" "$@" >"$out/$name.log" 2>&1 ||
    { cat "$out/$name.log"; echo "publish $name failed"; exit 1; }
  if grep -E "warning (IL|AOT)[0-9]+" "$out/$name.log"; then
    echo "publish $name: trim or AOT warnings (above)"; exit 1
  fi
}

echo "publishing: NativeAOT with the default instruction set, NativeAOT with native, and the JIT build"
publish aot-default
publish aot-native -p:IlcInstructionSet=native
rm -rf "$out/jit"
dotnet build "$project" -c Release -o "$out/jit" >"$out/jit.log" 2>&1 || { cat "$out/jit.log"; exit 1; }

command_of() { # name -> the command that runs that build
  case "$1" in
    jit) echo "dotnet $out/jit/Cifar10Classifier.dll" ;;
    *) echo "$out/$1/Cifar10Classifier" ;;
  esac
}

size_of() {
  case "$1" in
    jit) echo "framework-dependent" ;;
    *) awk -v b="$(stat -c %s "$out/$1/Cifar10Classifier")" 'BEGIN { printf "%.2f MiB", b / 1048576 }' ;;
  esac
}

median() { sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

echo
echo "| build | binary | cold start to first prediction (median of $runs) | peak memory | images/s (batch 64, $images images) | logits checksum |"
echo "|---|---|---|---|---|---|"
jit_checksum=""
for name in jit aot-default aot-native; do
  run=$(command_of "$name")
  starts=()
  for _ in $(seq "$runs"); do
    line=$($run --checkpoint "$checkpoint" --data "$data" --images 1 --launched-at "$(date +%s%N)" | head -n 1)
    starts+=("$(sed -n 's/.* after \([0-9.]*\) ms/\1/p' <<<"$line")")
  done
  start=$(printf '%s\n' "${starts[@]}" | median)
  report=$( { /usr/bin/time -f "peak-kib %M" $run --checkpoint "$checkpoint" --data "$data" --images "$images"; } 2>&1 )
  peak=$(sed -n 's/^peak-kib \([0-9]*\)/\1/p' <<<"$report")
  rate=$(sed -n 's/.*, \([0-9]*\) images\/s.*/\1/p' <<<"$report")
  checksum=$(sed -n 's/.*logits checksum \([0-9a-f]*\).*/\1/p' <<<"$report")
  widths=$(sed -n 's/^vectors: //p' <<<"$report")
  [ "$name" = jit ] && jit_checksum="$checksum"
  same=$([ "$checksum" = "$jit_checksum" ] && echo "= JIT" || echo "differs from JIT")
  echo "| $name ($widths) | $(size_of "$name") | $start ms | $((peak / 1024)) MiB | $rate | $checksum ($same) |"
done
