#!/usr/bin/env bash
# Runs the same benchmarks on an earlier commit and on the working tree, one after the other on this machine, so
# that the two sets of figures come from the same conditions (this machine moves 20-40% between sessions).
# Writes benchmarks/results/NAME-base.md (the earlier commit, with its own benchmark code) and NAME.md.
#
# Usage: benchmarks/compare-with-commit.sh BASE NAME [BenchmarkDotNet options...]
#   e.g. benchmarks/compare-with-commit.sh 9443b20 graph --filter '*SeedCnn*' --job short
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
base="$1"
name="$2"
shift 2
worktree="$(mktemp -d)/fastloss-base"
git -C "$root" worktree add --detach "$worktree" "$base" >/dev/null
trap 'git -C "$root" worktree remove --force "$worktree"' EXIT

"$worktree/benchmarks/run-benchmarks.sh" "$name-base" "$@"
cp "$worktree/benchmarks/results/$name-base.md" "$root/benchmarks/results/$name-base.md"
"$root/benchmarks/run-benchmarks.sh" "$name" "$@"
