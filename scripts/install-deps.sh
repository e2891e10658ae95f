#!/usr/bin/env bash
# Installs what DeepestLearning needs and the machine lacks; does nothing when all is present.
#   scripts/install-deps.sh            Debian packages (GSL, FFTW, OpenBLAS, pkg-config, Open MPI for deepest-mpi)
#   scripts/install-deps.sh python P…  also the Python packages P… (benchmarks and plots)
set -euo pipefail
debian=(libgsl-dev libfftw3-dev libopenblas-dev pkg-config libopenmpi-dev openmpi-bin)
missing=()
for package in "${debian[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q 'install ok installed' || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing Debian packages: ${missing[*]}" >&2
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
if [ "${1:-}" = python ]; then
    shift
    python_missing=()
    for package in "$@"; do
        module="${package%%[=<>]*}"
        case "$module" in scikit-learn) module=sklearn ;; esac
        python3 -c "import ${module}" 2>/dev/null || python_missing+=("$package")
    done
    if [ ${#python_missing[@]} -gt 0 ]; then
        echo "installing Python packages: ${python_missing[*]}" >&2
        python3 -m pip install -q "${python_missing[@]}"
    fi
fi
