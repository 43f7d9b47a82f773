#!/usr/bin/env bash
# Runs MonoPeer.exe (built by ../run.sh next to a copy of the binding's
# Eindkomst.dll and libeindkomst.so, where Mono's DllImport finds them).
exec mono "$(dirname "$0")/bin/MonoPeer.exe" "$@"
