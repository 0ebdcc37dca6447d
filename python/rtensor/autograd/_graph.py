"""`rtensor.autograd.graph(t)`: the backward graph of `t` as text or Graphviz DOT.

A teaching aid none of the reference libraries has built in: it shows each
node's name, the shapes of its forward inputs, what it saved, and the leaves
(with their shapes) where gradients end up."""


def _walk(root):
    order, seen, stack = [], set(), [root]
    while stack:
        n = stack.pop()
        if n is None or n._id() in seen:
            continue
        seen.add(n._id())
        order.append(n)
        for nxt, _ in reversed(n.next_functions):
            stack.append(nxt)
    return order


def _label(n):
    if n.name() == "AccumulateGrad":
        v = n.variable
        return f"AccumulateGrad (leaf {tuple(v.shape)} {str(v.dtype).split('.')[1]})"
    shapes = ", ".join(str(tuple(s)) for s in n._input_shapes)
    saved = f" saved: {', '.join(n._saved)}" if n._saved else ""
    return f"{n.name()} (inputs {shapes}){saved}"


def graph(t, format="text"):
    root = t.grad_fn
    if root is None:
        kind = "a leaf that requires grad" if t.requires_grad else "not part of any graph"
        return f"<no backward graph: the tensor is {kind}>"
    nodes = _walk(root)
    ids = {n._id(): i for i, n in enumerate(nodes)}
    if format == "dot":
        lines = ["digraph backward {", "  rankdir=BT;"]
        for n in nodes:
            shape = "box" if n.name() == "AccumulateGrad" else "ellipse"
            lines.append(f'  n{ids[n._id()]} [label="{_label(n)}", shape={shape}];')
        for n in nodes:
            for nxt, _ in n.next_functions:
                if nxt is not None:
                    lines.append(f"  n{ids[nxt._id()]} -> n{ids[n._id()]};")
        lines.append("}")
        return "\n".join(lines)
    if format != "text":
        raise ValueError(f"graph(): format must be 'text' or 'dot', got {format!r}")
    out = []

    def show(n, depth, seen):
        mark = " (shown above)" if n._id() in seen else ""
        out.append("  " * depth + _label(n) + mark)
        if mark:
            return
        seen.add(n._id())
        for nxt, _ in n.next_functions:
            if nxt is not None:
                show(nxt, depth + 1, seen)

    show(root, 0, set())
    return "\n".join(out)
