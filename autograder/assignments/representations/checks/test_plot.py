import torch

from autograder.engine.grade.checks import CheckFailed, expect, points

DOING = "calling plot_embeddings on seven made-up embeddings"


def panels(student, probe_inputs) -> list[tuple[int, torch.Tensor, torch.Tensor, str]]:
    """(which embedding, points, colours, title) of each panel holding points: each panel is matched to the made-up
    embedding its points come from."""
    answer = student.probe("plot", "plot", DOING)
    found = answer.get("panels")
    if not isinstance(found, list) or not found:
        raise CheckFailed(f"plot_embeddings returned a {answer.get('figure_class')} with no points drawn in it "
                          f"(found {answer.get('found', 'no axes')}): draw each embedding's points, e.g. with "
                          "ax.scatter or ax.plot(x, y, \"o\")")
    given = probe_inputs["plot"]["embeddings"]
    matched = []
    for panel in found:
        points, colours = panel.get("points"), panel.get("colours")
        if not isinstance(points, torch.Tensor) or not isinstance(colours, torch.Tensor) or not len(points):
            continue
        distances = torch.stack([torch.cdist(points, e, compute_mode="donot_use_mm_for_euclid_dist").min(dim=1).values.max() for e in given])
        best = int(distances.argmin())
        matched.append((best if distances[best] < 1e-6 else -1, points, colours, panel.get("title")))
    return matched


@points(0.75, "plot", "plot_embeddings: one panel per embedding, with all its points")
def test_one_panel_per_embedding(student, probe_inputs):
    given = probe_inputs["plot"]["embeddings"]
    found = panels(student, probe_inputs)
    complete = {index for index, points, _, _ in found
                if index >= 0 and len(torch.unique(points, dim=0)) == len(given[index])}
    missing = [probe_inputs["plot"]["titles"][i] for i in range(len(given)) if i not in complete]
    expect(not missing, f"given {len(given)} embeddings of {len(given[0])} points, the figure has {len(found)} "
                        f"panel(s) with points, and no panel shows all the points of {', '.join(missing)}: draw each "
                        "embedding in its own panel (plt.subplots), every point")
    # the titles count only on panels that show their embedding: two thirds for the panels, one for the titles
    titles = probe_inputs["plot"]["titles"]
    untitled = [titles[i] for i in sorted({index for index, _, _, title in found if index >= 0 and title != titles[index]})]
    if untitled:
        raise CheckFailed(f"the panels of {', '.join(untitled)} are not titled with their entry of titles: "
                          "ax.set_title(title) for each", kept=2 / 3)


@points(0.75, "plot", "plot_embeddings: one colour per digit")
def test_colours_follow_digits(student, probe_inputs):
    given, labels = probe_inputs["plot"]["embeddings"], probe_inputs["plot"]["labels"]
    found = [(i, p, c) for i, p, c, _ in panels(student, probe_inputs) if i >= 0]
    expect(bool(found), "no panel shows the points of an embedding, so their colours cannot be read")
    colour_of = {}
    for index, points, colours in found:
        nearest = torch.cdist(points, given[index], compute_mode="donot_use_mm_for_euclid_dist").argmin(dim=1)
        for digit, colour in zip(labels[nearest].tolist(), colours.round(decimals=3)):
            colour_of.setdefault(digit, set()).add(tuple(colour.tolist()))
    several = [d for d, c in sorted(colour_of.items()) if len(c) > 1]
    expect(not several, f"digit(s) {', '.join(map(str, several))} are drawn in more than one colour: colour each "
                        "point by its label (c=labels with a colour map, or one scatter per digit)")
    shared = len({next(iter(c)) for c in colour_of.values()})
    expect(shared == len(colour_of), f"the {len(colour_of)} digits share {shared} colour(s): give each digit its own "
                                     "colour, e.g. with cmap='tab10'")
    # the key counts only once the colours follow the digits: two thirds for the colours, one for the key
    if not student.probe("plot", "plot", DOING).get("keyed"):
        raise CheckFailed("the colours follow the digits, but nothing says which colour is which digit: add a "
                          "legend (ax.legend, fig.legend) or a colour bar (fig.colorbar)", kept=2 / 3)
