#!/usr/bin/env bash
# Runs the FastLoss-versus-TorchSharp benchmarks and writes the comparison table to
# benchmarks/results/NAME.md (times, TorchSharp / FastLoss ratio, allocated bytes, bandwidth, machine).
#
# Usage: benchmarks/run-benchmarks.sh [NAME] [BenchmarkDotNet options...]
#   NAME defaults to <host>-<date>. Options default to "--filter * --job short"; any options given
#   replace them, e.g.  benchmarks/run-benchmarks.sh epyc-full --filter '*' --job default
#   or a quick look:    benchmarks/run-benchmarks.sh smoke --filter '*L1Loss*' '*Bandwidth*' --job dry
#   (CrossEntropyLoss and NLLLoss: --filter '*CrossEntropyLoss*' '*NLLLoss*').
# The short job (3 warm-up and 3 measured iterations) takes roughly 20-30 minutes for the elementwise
# losses, and longer with the classification losses (60 more cases, some of 4096 x 1000 logits);
# BenchmarkDotNet's default job gives tighter numbers in an hour or more.
# FASTLOSS_TORCH_THREADS=N gives libtorch N intra-op threads (default 1, as FastLoss uses one core).
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
name="${1:-$(hostname)-$(date +%Y%m%d-%H%M)}"
shift || true
options=("$@")
[[ ${#options[@]} -gt 0 ]] || options=(--filter '*' --job short)

artifacts="$root/benchmarks/FastLoss.Benchmarks/BenchmarkDotNet.Artifacts/$name"
rm -rf "$artifacts"

dotnet run -c Release --project "$root/benchmarks/FastLoss.Benchmarks" -- \
  "${options[@]}" --join --artifacts "$artifacts"

table="$(ls -t "$artifacts"/results/*-comparison.md | head -n 1)"
mkdir -p "$root/benchmarks/results"
cp "$table" "$root/benchmarks/results/$name.md"
echo "Wrote benchmarks/results/$name.md"
