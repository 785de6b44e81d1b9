"""Builds seqlab's optional compiled kernels (everything else is in pyproject.toml).

Three C extensions: the tokenizer (text/_ctokenize.c), the word2vec trainer
(vectors/_cword2vec.c) and the recurrent layers' time loops (layers/_crnn.c, built for
this machine's CPU with -march=native and with OpenMP, retried without both where the
compiler refuses). All are optional: if one cannot be compiled (no C compiler, unusual
platform), the install still succeeds and seqlab uses its pure-Python path, saying so
once at run time. Set SEQLAB_REQUIRE_EXTENSION=1 to make a failed build an
error instead (CI does).
"""
import os
import sys

from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

NATIVE = "-march=native"  # AVX2/AVX-512 and FMA where the CPU has them
TUNING = (NATIVE, "-fopenmp")


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
            if NATIVE not in ext.extra_compile_args:
                return self._give_up(error)
            ext.extra_compile_args = [a for a in ext.extra_compile_args if a not in TUNING]
            ext.extra_link_args = [a for a in ext.extra_link_args if a not in TUNING]
            print(f"seqlab: {ext.name} failed with {' '.join(TUNING)}; building it without",
                  file=sys.stderr)
            self.build_extension(ext)

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
        Extension("seqlab.layers._crnn", ["src/seqlab/layers/_crnn.c"],
                  depends=["src/seqlab/layers/_crnn_kernels.h"],
                  extra_compile_args=list(TUNING), extra_link_args=["-fopenmp"]),
    ],
    cmdclass={"build_ext": OptionalBuildExt},
)
