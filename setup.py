"""Builds seqlab's optional compiled kernels (everything else is in pyproject.toml).

Two C extensions: the tokenizer (text/_ctokenize.c) and the word2vec trainer
(vectors/_cword2vec.c). Both are optional: if one cannot be compiled (no C compiler,
unusual platform), the install still succeeds and seqlab uses its pure-Python path,
saying so once at run time. Set SEQLAB_REQUIRE_EXTENSION=1 to make a failed build an
error instead (CI does).
"""
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext


class OptionalBuildExt(build_ext):
    def build_extensions(self):
        if self.compiler.compiler_type == "unix":  # gcc or clang: vectorise the inner loops
            for ext in self.extensions:
                ext.extra_compile_args += ["-O3", "-fopenmp-simd"]
        super().build_extensions()

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
        print(f"seqlab: could not build a compiled kernel ({error}); "
              "its pure-Python path will be used.", file=sys.stderr)


setup(
    ext_modules=[
        Extension("seqlab.text._ctokenize", ["src/seqlab/text/_ctokenize.c"]),
        Extension("seqlab.vectors._cword2vec", ["src/seqlab/vectors/_cword2vec.c"]),
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
