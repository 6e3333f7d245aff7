"""Prints the BLAS the PyTorch reference computes with, and the kernel it picked for this CPU.

Debian's OpenBLAS falls back to its generic Prescott (SSE3) kernel on CPUs it does not know
(sgemm several times slower), which would flatter every ratio against the reference; the bench
scripts print this line beside their figures. OPENBLAS_CORETYPE (e.g. SkylakeX, Haswell, Zen)
overrides the choice.
"""
import ctypes
import os
import re

import torch  # noqa: F401  (loads the BLAS torch links against)


def main():
    with open("/proc/self/maps") as maps:
        libraries = sorted(set(re.findall(r"/\S*openblas\S*\.so\S*", maps.read())))
    for path in libraries:
        try:
            library = ctypes.CDLL(path)
            library.openblas_get_corename.restype = ctypes.c_char_p
            library.openblas_get_config.restype = ctypes.c_char_p
        except (OSError, AttributeError):
            continue
        config = library.openblas_get_config().decode().split()
        version = config[1] if len(config) > 1 else "?"
        forced = os.environ.get("OPENBLAS_CORETYPE")
        how = f"OPENBLAS_CORETYPE={forced}" if forced else "picked by OpenBLAS for this CPU"
        print(f"reference BLAS: OpenBLAS {version}, {library.openblas_get_corename().decode()} kernel ({how})")
        return
    print("reference BLAS: not OpenBLAS (torch.__config__.show() tells which)")


main()
