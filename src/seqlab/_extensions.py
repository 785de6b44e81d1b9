"""Loading seqlab's optional compiled kernels (built at install when a C compiler exists)."""
import importlib
import importlib.util


def optional_extension(module: str, what: str):
    """(the module, None), or (None, why it cannot be used) for a kernel that failed to build
    or to load; `what` names it in the reason ("the compiled tokenizer")."""
    try:
        return importlib.import_module(module), None
    except ImportError as error:
        if importlib.util.find_spec(module) is None:  # never built here
            return None, (f"{what} is not built; reinstall seqlab with a C compiler "
                          "(pip install -v shows why the build failed)")
        return None, f"{what} does not load ({error}); reinstall seqlab"
