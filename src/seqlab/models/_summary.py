"""``model.summary()``: Keras 3's table of layers, output shapes and parameter counts."""
from __future__ import annotations

import io

from rich.console import Console
from rich.table import Table

from ..layers import InputLayer


def summary(model, print_fn=None):
    """Print (or hand to `print_fn`, one line at a time) the summary table."""
    sequential = hasattr(model, "add")
    shapes = model.output_shapes()
    table = Table(title=None, show_lines=True, header_style="bold")
    table.add_column("Layer (type)", no_wrap=True)
    table.add_column("Output Shape")
    table.add_column("Param #", justify="right")
    if not sequential:
        table.add_column("Connected to")
    connections = {} if sequential else _connections(model)
    for layer in model.layers:
        if sequential and isinstance(layer, InputLayer):
            continue
        name = f"{getattr(layer, 'name', '?')} ({type(layer).__name__})"
        shape = _shape_text(shapes.get(getattr(layer, "name", None)))
        if isinstance(layer, InputLayer):
            shape = _shape_text([layer.input_shape])
        params = _count(layer)
        row = [name, shape, f"{params:,}" if params is not None else "0 (unbuilt)"]
        if not sequential:
            row.append(connections.get(layer.name, "-"))
        table.add_row(*row)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    frozen = sum(p.numel() for p in model.parameters() if not p.requires_grad)
    element = next((p.element_size() for p in model.parameters()), 4)
    lines = [f'Model: "{model.name}"', _render(table)]
    for label, count in (("Total", trainable + frozen), ("Trainable", trainable),
                         ("Non-trainable", frozen)):
        lines.append(f" {label} params: {count:,} ({_bytes(count * element)})")
    text = "\n".join(lines)
    if print_fn is None:
        print(text)
    else:
        for line in text.splitlines():
            print_fn(line)


def _count(layer):
    if not getattr(layer, "built", True):
        return None
    return sum(p.numel() for p in layer.parameters())


def _shape_text(shapes):
    if not shapes:
        return "?"
    parts = ["(" + ", ".join("None" if d is None else str(d) for d in s)
             + ("," if len(s) == 1 else "") + ")" for s in shapes]
    return parts[0] if len(parts) == 1 else "[" + ", ".join(parts) + "]"


def _connections(model) -> dict:
    """For each layer: the layers whose outputs it reads, Keras's 'Connected to' column."""
    found = {}
    for node in model._nodes:
        sources = [f"{t.node.layer.name}[0][{t.index}]" for t in node.inputs]
        found.setdefault(node.layer.name, ", ".join(sources) or "-")
    return found


def _bytes(count):
    size, unit = float(count), "B"
    for unit in ("B", "KB", "MB", "GB"):
        if size < 1024 or unit == "GB":
            break
        size /= 1024
    return f"{size:.2f} {unit}"


def _render(table) -> str:
    console = Console(width=100, file=io.StringIO(), force_terminal=False, color_system=None)
    console.print(table)
    return console.file.getvalue().rstrip("\n")
