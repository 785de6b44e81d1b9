"""Reading the commands' output back in the CLI tests: rich tables and run metrics."""
import json


def table_rows(out):
    """``{first cell: [other cells]}`` of the rich table rows in `out`."""
    rows = {}
    for line in out.splitlines():
        if line.startswith("│"):
            cells = [cell.strip() for cell in line.strip("│").split("│")]
            rows[cells[0]] = cells[1:]
    return rows


def read_metrics(folder):
    """The ``metrics.json`` of a run folder."""
    return json.loads((folder / "metrics.json").read_text(encoding="utf-8"))
