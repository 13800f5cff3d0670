#!/usr/bin/env bash
# Runs the kernel, module and parity tests once per vector width narrower than this machine's widest, with the
# runtime's ISA switches (.NET 10): DOTNET_EnableAVX512=0 leaves Vector256, DOTNET_EnableAVX2=0 leaves Vector128,
# DOTNET_EnableHWIntrinsic=0 leaves scalar code. FASTLOSS_EXPECTED_VECTOR_WIDTH tells each run which width it
# must have (tests/FastLoss.Tests/Hardware/VectorWidthTests.cs fails when a switch did not take effect).
#
#   eng/vector-width-runs.sh [RESULTS_DIR]     (after a Release build; TRX files go to RESULTS_DIR when given)
set -uo pipefail
cd "$(dirname "$0")/.."
results="${1:-}"

# What the width runs leave out: allocation counts and process memory (they measure the runtime, not the
# arithmetic), the seed CNN's overfitting runs (minutes without vectors; its layers are tested one by one), and
# data, file and logging tests, which have no vector code.
filter="FullyQualifiedName!~Allocation&FullyQualifiedName!~UnbackpropagatedMemory&FullyQualifiedName!~SeedCnnOverfit"
filter+="&FullyQualifiedName!~FastLoss.Tests.Data.&FullyQualifiedName!~FastLoss.Tests.Serialization.&FullyQualifiedName!~FastLoss.Tests.Logging."

runs=()
if grep -qw avx512f /proc/cpuinfo 2>/dev/null; then
  runs+=("256 DOTNET_EnableAVX512=0")
fi
runs+=("128 DOTNET_EnableAVX2=0" "scalar DOTNET_EnableHWIntrinsic=0")

status=0
for run in "${runs[@]}"; do
  read -r width switch <<<"$run"
  echo "== vector width $width ($switch)"
  for project in tests/FastLoss.Tests tests/FastLoss.TorchParity.Tests; do
    logger=()
    if [ -n "$results" ]; then
      logger=(--logger "trx;LogFileName=width-$width-$(basename "$project").trx" --results-directory "$results")
    fi
    if ! env "$switch" FASTLOSS_EXPECTED_VECTOR_WIDTH="$width" \
        dotnet test "$project" -c Release --no-build --filter "$filter" "${logger[@]}"; then
      status=1
    fi
  done
done
exit "$status"
