"""``seqlab datasets list|info|download``: the datasets seqlab can download."""
from __future__ import annotations

from rich.console import Console
from rich.table import Table

from ..data import registry
from ._options import command_name


def add(commands):
    datasets = commands.add_parser(
        "datasets", help="list, describe and download the standard datasets",
        description="The datasets the recipes know by name, downloaded from their publishers "
                    "into the cache folder ($SEQLAB_DATA, default ~/.cache/seqlab) and checked "
                    "against their size and sha256.")
    actions = datasets.add_subparsers(dest="action", metavar="ACTION")
    datasets.set_defaults(command_parser=datasets)
    listing = actions.add_parser("list", help="the datasets, and whether each is downloaded")
    listing.add_argument("--dir", metavar="FOLDER", help="look in FOLDER instead of the cache")
    listing.set_defaults(run=_list)
    info = actions.add_parser("info", help="source, size, digest, citation and licence")
    info.add_argument("name", metavar="NAME")
    info.add_argument("--dir", metavar="FOLDER", help="look in FOLDER instead of the cache")
    info.set_defaults(run=_info)
    download = actions.add_parser("download", help="download (or resume) and verify")
    download.add_argument("names", nargs="+", metavar="NAME")
    download.add_argument("--dir", metavar="FOLDER", help="download into FOLDER instead of the "
                                                          "cache")
    download.set_defaults(run=_download)


def _list(args) -> int:
    table = Table(show_header=True, header_style="bold")
    for column in ("name", "downloaded", "description"):
        table.add_column(column)
    for dataset in sorted(registry.DATASETS.values(), key=lambda d: d.name):
        # checked as the recipes check it (size and sha256), not only found
        table.add_row(dataset.name, registry.state(dataset, args.dir), dataset.description)
    Console().print(table)
    seqlab = command_name()
    print(f"Details: {seqlab} datasets info NAME; download: {seqlab} datasets download NAME")
    return 0


def _info(args) -> int:
    print(registry.info(args.name, args.dir))
    return 0


def _download(args) -> int:
    for name in args.names:
        registry.info(name)  # an unknown name fails before any download starts
    for name in args.names:
        path = registry.fetch(name, args.dir)
        check = ("sha256 verified" if registry.DATASETS[name].sha256 else
                 "size checked; no sha256 is pinned for it")
        print(f"{name}: {path} ({path.stat().st_size:,} bytes, {check})")
    return 0
