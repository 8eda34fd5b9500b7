# SPDX-License-Identifier: Apache-2.0
"""Build glue only: the package metadata lives in pyproject.toml, the native module in ext/build_native.py."""
from setuptools import setup

setup(cffi_modules=["ext/build_native.py:ffibuilder"])
