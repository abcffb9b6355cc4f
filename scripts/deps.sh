#!/usr/bin/env bash
# Installs the Debian packages a make target needs, only those missing.
# usage: scripts/deps.sh GROUP...   (groups: build test lint sanitize bench report)
# Runs apt-get as root or through `sudo -n`; otherwise names the packages and fails.
set -euo pipefail

# package:probe - a probe starting with / is a file that must exist, otherwise a command.
group_build="cmake:cmake gcc:gcc make:make pkg-config:pkg-config libpapi-dev:/usr/include/papi.h liburing-dev:/usr/include/liburing.h openmpi-bin:mpirun libopenmpi-dev:mpicc"
group_lint="clang-format:clang-format cppcheck:cppcheck"
group_sanitize="clang:clang libclang-rt-14-dev:/usr/lib/llvm-14/lib/clang/14.0.6/lib/linux/libclang_rt.fuzzer-x86_64.a"
group_test="python3:python3 procps:pgrep gnuplot-nox:gnuplot valgrind:valgrind python3-scipy:/usr/lib/python3/dist-packages/scipy/__init__.py"
group_bench="primesieve:primesieve valgrind:valgrind papi-tools:papi_avail python3:python3 python3-scipy:/usr/lib/python3/dist-packages/scipy/__init__.py"
group_report="gnuplot-nox:gnuplot python3:python3 chromium:chromium python3-scipy:/usr/lib/python3/dist-packages/scipy/__init__.py"

missing=()
for group in "$@"; do
    var="group_$group"
    if [[ -z "${!var+x}" ]]; then
        echo "deps.sh: unknown group '$group' (build test lint sanitize bench report)" >&2
        exit 2
    fi
    for entry in ${!var}; do
        pkg=${entry%%:*} probe=${entry#*:}
        if [[ $probe == /* ]]; then
            [[ -e $probe ]] && continue
        else
            command -v "$probe" >/dev/null 2>&1 && continue
        fi
        [[ " ${missing[*]-} " == *" $pkg "* ]] || missing+=("$pkg")
    done
done
((${#missing[@]} == 0)) && exit 0

if [[ $(id -u) -eq 0 ]]; then
    sudo=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    sudo=(sudo -n)
else
    echo "deps.sh: missing Debian packages: ${missing[*]}" >&2
    echo "deps.sh: install them with: sudo apt-get install ${missing[*]}" >&2
    exit 1
fi
if ! command -v apt-get >/dev/null 2>&1; then
    echo "deps.sh: missing packages: ${missing[*]} (no apt-get here: install them by hand)" >&2
    exit 1
fi
echo "deps.sh: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq >&2
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2
