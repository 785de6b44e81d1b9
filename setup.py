"""Builds seqlab's optional compiled text kernel (everything else is in pyproject.toml).

The extension is optional: if it cannot be compiled (no C compiler, unusual
platform), the install still succeeds and seqlab uses its pure-Python tokenizer,
saying so once at run time. Set SEQLAB_REQUIRE_EXTENSION=1 to make a failed
build an error instead (CI does).
"""
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    def run(self):
        try:
            super().run()
        except Exception as error:  # compiler missing or failing: fall back, loudly
            self._give_up(error)

    def build_extension(self, ext):
        try:
            super().build_extension(ext)
        except Exception as error:
            self._give_up(error)

    @staticmethod
    def _give_up(error):
        if os.environ.get("SEQLAB_REQUIRE_EXTENSION") == "1":
            raise error
        print(f"seqlab: could not build the compiled tokenizer ({error}); "
              "the pure-Python tokenizer will be used.", file=sys.stderr)


setup(
    ext_modules=[Extension("seqlab.text._ctokenize", ["src/seqlab/text/_ctokenize.c"])],
    cmdclass={"build_ext": OptionalBuildExt},
)
