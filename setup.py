# SPDX-License-Identifier: Apache-2.0
"""Build glue only: the package metadata lives in pyproject.toml, the native module in ext/build_native.py.

lwIP is compiled (ext/lwip_build.py) when the extension is built, not when this file is read: setuptools
reads it for every command, and making an sdist needs neither lwIP's source nor a compiler.
"""
import sys
from pathlib import Path

from setuptools import setup
from setuptools.command.build_ext import build_ext

sys.path.insert(0, str(Path(__file__).resolve().parent / "ext"))


class BuildExtWithLwip(build_ext):
    def build_extensions(self) -> None:
        from csrc_build import lwip_archive

        archive = str(lwip_archive())
        for extension in self.extensions:
            if archive not in extension.extra_objects:
                extension.extra_objects.append(archive)
        super().build_extensions()


setup(cffi_modules=["ext/build_native.py:ffibuilder"], cmdclass={"build_ext": BuildExtWithLwip})
