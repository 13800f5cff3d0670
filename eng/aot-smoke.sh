#!/usr/bin/env bash
# Publishes samples/Cifar10Classifier with NativeAOT (the default instruction set, so the 128-bit paths), runs it on
# CIFAR-10 test images with a checkpoint trained briefly by the CLI, and checks it classifies as the JIT build
# does: the same first prediction and the same number of correct images within one (the two builds' logits differ
# in the last bits, without and with FMA). Fails on any trim or AOT warning. Run by .ci/run after a Release build.
set -euo pipefail
cd "$(dirname "$0")/.."
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
data="${DATA:-$(pwd)/../shared/data}"
images=256

dotnet src/FastLoss.Cli/bin/Release/net10.0/FastLoss.Cli.dll train --data "$data" --no-download --epochs 1 \
  --limit-train 1024 --limit-test 64 --out "$work/run" --plain >"$work/train.log" 2>&1 || { cat "$work/train.log"; exit 1; }
checkpoint="$work/run/checkpoint.safetensors"

if ! dotnet publish samples/Cifar10Classifier -c Release -r linux-x64 -o "$work/aot" >"$work/publish.log" 2>&1; then
  cat "$work/publish.log"; echo "aot-smoke: publish failed"; exit 1
fi
if grep -E "warning (IL|AOT)[0-9]+" "$work/publish.log"; then
  echo "aot-smoke: trim or AOT warnings (above)"; exit 1
fi

aot=$("$work/aot/Cifar10Classifier" --checkpoint "$checkpoint" --data "$data" --images "$images")
jit=$(dotnet samples/Cifar10Classifier/bin/Release/net10.0/Cifar10Classifier.dll --checkpoint "$checkpoint" --data "$data" --images "$images")
echo "NativeAOT: $aot"
echo "JIT:       $jit"
first() { sed -n 's/^first prediction: \(image 0 is [a-z]*\).*/\1/p' <<<"$1"; }
correct() { sed -n 's/.*accuracy \([0-9.]*\)%.*/\1/p' <<<"$1" | awk -v n="$images" '{ printf "%d", $1 * n / 100 + 0.5 }'; }
[ -n "$(first "$aot")" ] && [ "$(first "$aot")" = "$(first "$jit")" ] || { echo "aot-smoke: first predictions differ"; exit 1; }
difference=$(( $(correct "$aot") - $(correct "$jit") ))
[ "${difference#-}" -le 1 ] || { echo "aot-smoke: NativeAOT got $(correct "$aot") of $images right, the JIT $(correct "$jit")"; exit 1; }
echo "aot-smoke: NativeAOT classifies as the JIT does ($(correct "$aot") of $images)"
