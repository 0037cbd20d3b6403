"""The questions this assignment asks a notebook's namespace, answered in the student's process and for the
reference. Copied into the student's runner: imports only torch and the engine's probing tools."""

from __future__ import annotations

import torch

from autograder.engine.grade.probing import batched, describe_error, describe_loader, describe_module, load_weights, weighted_layers

LAYERS = ("h1", "h2", "h3", "h4", "h5", "h6")


def _dataloaders(ns, inputs, _):
    from PIL import Image

    answer = {}
    for name in ("train_loader", "test_loader"):
        loader = ns[name]
        transform = getattr(loader.dataset, "transform", None)
        try:
            images = [transform(Image.fromarray(array.numpy(), mode="L")) for array in inputs["raw_images"]]
            transformed = torch.stack([torch.as_tensor(image, dtype=torch.float32) for image in images])
        except Exception as error:
            transformed = {"error": describe_error(error)}
        answer[name] = {**describe_loader(loader), "transformed": transformed}
    return answer


def _model(ns, inputs, _):
    model, optimizer = ns["model"], ns["optimizer"]
    groups = getattr(optimizer, "param_groups", [{}])
    ids = {id(p) for group in groups for p in group.get("params", [])}
    return {"class": type(model).__name__, "is_instance": isinstance(model, ns["Net"]),
            "optimizer": type(optimizer).__name__, "lr": groups[0].get("lr"), "momentum": groups[0].get("momentum"),
            "covers_the_model": ids == {id(p) for p in model.parameters()}}


def _with_weights(net, x, weights):
    """``net`` with ``weights`` (per convolution/linear layer in the order forward calls them)."""
    layers = weighted_layers(net, x)
    if len(layers) != len(weights):
        raise ValueError(f"forward uses {len(layers)} convolution/linear layers, the reference {len(weights)}")
    with torch.no_grad():
        for position, (layer, (weight, bias)) in enumerate(zip(layers, weights)):
            if layer.weight.shape != weight.shape or layer.bias is None or layer.bias.shape != bias.shape:
                raise ValueError(f"layer {position + 1} in call order has a weight of shape {tuple(layer.weight.shape)}, "
                                 f"the reference {tuple(weight.shape)}")
            layer.weight.copy_(weight)
            layer.bias.copy_(bias)
    return net


def _net2(ns, inputs, _):
    Net2, x = ns["Net2"], inputs["x"]
    answer = describe_module(Net2().eval(), x)
    try:  # the notebook loads mnist_cnn.pt, saved from a Net, into a Net2
        state, own = ns["Net"]().state_dict(), Net2().state_dict()
        missing, unexpected = [k for k in own if k not in state], [k for k in state if k not in own]
        if missing or unexpected:
            answer["loads_net_weights"] = (f"Net2 lacks {', '.join(unexpected[:4]) or 'nothing'} and has "
                                           f"{', '.join(missing[:4]) or 'nothing'} more")
        else:
            Net2().load_state_dict(state)
            answer["loads_net_weights"] = True
    except Exception as error:
        answer["loads_net_weights"] = describe_error(error)
    try:
        net = _with_weights(Net2().eval(), x, inputs["weights"]["net2"])
        with torch.no_grad():
            extracted = net.extract(x.clone())
            forward = net(x.clone())
        if isinstance(extracted, torch.Tensor) or not hasattr(extracted, "__len__"):
            raise TypeError(f"extract returned a {type(extracted).__name__}, not a tuple or list of six tensors")
        answer["extract"] = [t.detach().float() if isinstance(t, torch.Tensor) else None for t in list(extracted)[:8]]
        answer["extract_count"] = len(extracted)
        answer["forward"] = forward
    except Exception as error:
        answer["extract"] = {"error": describe_error(error)}
    return answer


def _cnn_weights(ns, inputs, weights_dir):
    model = load_weights(ns["model"], weights_dir / "mnist_cnn.pt")
    # NHWC memory in batches of 100: 0.33 s instead of 1.08 s (contiguous, batches of 1,000) on 5,000 images, one thread
    # (measured before the graded images became 2,000)
    return {"scores": batched(model, inputs["test"]["images"], batch_size=100, channels_last=True)}


def _embedding(ns, inputs, _):
    answer = {}
    for layer, activations in inputs["embed"].items():
        embedding = ns["tsne_embedding"](activations.clone(), 0)
        answer[f"{layer}_type"] = f"{type(embedding).__module__}.{type(embedding).__name__}"
        answer[layer] = torch.as_tensor(embedding).detach().cpu()
    # the same seed again, on the representation whose layout depends on it (the input's PCA start does)
    first = next(iter(inputs["embed"]))
    answer["again"] = torch.as_tensor(ns["tsne_embedding"](inputs["embed"][first].clone(), 0)).detach().cpu()
    return answer


def _marks(ax) -> tuple[list, list, int, int]:
    """The points drawn in ``ax`` and their colours, however matplotlib drew them: path collections (ax.scatter,
    filled or hollow) and marker-only lines (ax.plot(x, y, "o")); a point's colour is its face colour, or its
    edge colour where the face is not drawn. Also how many of each kind were found."""
    import numpy as np
    from matplotlib.collections import PathCollection
    from matplotlib.colors import to_rgba

    def colours_of(faces, edges, n):
        faces, edges = (torch.as_tensor(np.asarray(c, dtype=np.float64)).reshape(-1, 4) for c in (faces, edges))
        faces, edges = (c.expand(n, 4) if len(c) == 1 else c for c in (faces, edges))
        if len(faces) != n or (len(edges) == n and bool((faces[:, 3] == 0).all())):
            faces = edges  # hollow markers (facecolors="none"), or unfilled ones ("x", "+") coloured by c=
        return faces if len(faces) == n else None

    points, colours, collections, lines = [], [], 0, 0
    for collection in ax.collections:
        if not isinstance(collection, PathCollection):
            continue
        collections += 1
        offsets = torch.as_tensor(np.ma.getdata(collection.get_offsets()), dtype=torch.float64).reshape(-1, 2)
        found = colours_of(collection.get_facecolors(), collection.get_edgecolors(), len(offsets))
        if len(offsets) and found is not None:
            points.append(offsets)
            colours.append(found)
    for line in ax.lines:
        if line.get_marker() in (None, "", " ", "None", "none") or line.get_linestyle() not in ("None", "", " ", "none"):
            continue  # a drawn line, not a scatter
        lines += 1
        offsets = torch.as_tensor(np.ma.getdata(line.get_xydata()), dtype=torch.float64).reshape(-1, 2)
        face, edge = (to_rgba(c, line.get_alpha()) for c in (line.get_markerfacecolor(), line.get_markeredgecolor()))
        if len(offsets):
            points.append(offsets)
            colours.append(colours_of([face], [edge], len(offsets)))
    return points, colours, collections, lines


def _plot(ns, inputs, _):
    import matplotlib.pyplot as plt

    given = inputs["plot"]
    fig = ns["plot_embeddings"]([e.numpy() for e in given["embeddings"]], given["labels"].clone(), list(given["titles"]))
    try:
        # maps colour arrays (c= with a colour map) to colours, what drawing the figure would do for them: 0.002
        # CPU s where fig.canvas.draw() took 0.09
        for ax in fig.axes:
            for collection in ax.collections:
                collection.update_scalarmappable()
        panels, collections, lines = [], 0, 0
        for ax in fig.axes:
            points, colours, in_collections, in_lines = _marks(ax)
            collections, lines = collections + in_collections, lines + in_lines
            if points:
                panels.append({"title": str(ax.get_title())[:100], "points": torch.cat(points), "colours": torch.cat(colours)})
        # a legend (of an axes or of the figure) or a colour bar says which colour is which digit
        keyed = bool(fig.legends) or any(ax.get_legend() is not None or getattr(ax, "_colorbar", None) is not None
                                         for ax in fig.axes)
        return {"panels": panels[:20], "figure_class": type(fig).__name__, "keyed": keyed,
                "found": f"{len(fig.axes)} axes with {collections} scatter collections and {lines} marker lines"}
    finally:
        plt.close(fig)


# (probe name, function, needs the submitted weight file), answered in this order
PLAN = [
    ("dataloaders", _dataloaders, False),
    ("model", _model, False),
    ("net2", _net2, False),
    ("cnn_weights", _cnn_weights, True),
    ("embedding", _embedding, False),
    ("plot", _plot, False),
]
