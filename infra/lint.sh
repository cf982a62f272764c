#!/usr/bin/env bash
# Compiles and lints every Bicep file with the Bicep CLI from NuGet (Azure.Bicep.CommandLine.linux-x64).
# Warnings count as errors.
set -euo pipefail
cd "$(dirname "$0")"
dotnet restore tools/BicepTool.csproj --nologo -v q >/dev/null
bicep="${NUGET_PACKAGES:-$HOME/.nuget/packages}/azure.bicep.commandline.linux-x64/0.49.2/tools/bicep"
chmod +x "$bicep"
out=$(mktemp -d)
status=0
for f in $(find . -name '*.bicep' -not -path './tools/*' | sort); do
  log=$("$bicep" build "$f" --outdir "$out" 2>&1) || status=1
  log2=$("$bicep" lint "$f" 2>&1) || status=1
  if [ -n "$log$log2" ]; then
    printf '%s\n%s\n' "$log" "$log2" | sort -u | sed '/^$/d'
    status=1
  fi
  echo "bicep: $f ok"
done
rm -rf "$out"
if [ "$status" -ne 0 ]; then echo "bicep: warnings or errors (treated as errors)"; exit 1; fi
echo "bicep: every file compiles and lints clean"
