"""feedback.html: one self-contained page (every image a PNG data URI, nothing fetched), every check of
feedback.md in it, the pictures of the student's models under their checks, and the grading unchanged.

Grades a handful of fixtures once per session: hw2's reference, a wrong submission and the unfilled release,
and the reference of every other assignment (about a minute and a half on the course machine).
"""

from __future__ import annotations

import base64
import html
import io
import json
import re
from html.parser import HTMLParser

import numpy as np
import pytest
import torch
from PIL import Image

from autograder.engine.assignment import assignment_ids, load
from autograder.engine.fixtures import build_submission, expected, mismatches
from autograder.engine.grade import Grader
from autograder.engine.grade.batch import RESULT_FILE, store_result
from autograder.engine.grade.cache_key import content_key
from autograder.engine.grade.drawing import latent_scatter, png
from autograder.engine.grade.feedback_page import Figure, Picture, View, cached_pictures, draw
from autograder.engine.grade.report import check_output, student_feedback
from autograder.engine.notebook import graded_code_cells, points, read_cells

HW2 = ("passes_all", "untrained_weights", "blank_release", "lenet_relu_instead_of_tanh")
MAX_BYTES = 400_000


class _Page(HTMLParser):
    """Every src and href of a page, and its text."""

    def __init__(self):
        super().__init__()
        self.links, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.links += [(tag, name, value) for name, value in attrs if name in ("src", "href")]

    def handle_data(self, data):
        self.text.append(data)


def _graded(config, assignment_id: str, names: tuple, root) -> dict:
    assignment = load(assignment_id, config)
    grader = Grader(config=config, assignment=assignment)
    try:
        out = {}
        for name in names:
            folder = build_submission(assignment.fixtures_dir / name, root / assignment_id / name, config=config,
                                      assignment=assignment, inputs=lambda: grader.inputs)
            result = grader.grade(folder)
            store_result(result, root / "out" / assignment_id / name, "print", config=config, assignment=assignment,
                         submission=folder)
            out[name] = (result, root / "out" / assignment_id / name)
        return out
    finally:
        grader.server.close()


@pytest.fixture(scope="module")
def graded(config, tmp_path_factory) -> dict:
    """{(assignment id, fixture): (result, report folder)}: hw2's three, every other assignment's reference."""
    root = tmp_path_factory.mktemp("feedback")
    results = {("hw2", name): value for name, value in _graded(config, "hw2", HW2, root).items()}
    for assignment_id in assignment_ids(config):
        if assignment_id != "hw2":
            results[(assignment_id, "passes_all")] = _graded(config, assignment_id, ("passes_all",), root)["passes_all"]
    return results


def _png_sources(page: str) -> list[bytes]:
    return [base64.b64decode(src.split(",", 1)[1], validate=True)
            for src in re.findall(r'src="(data:image/png;base64,[^"]*)"', page)]


def test_every_page_is_self_contained_and_small(graded):
    for (assignment_id, name), (_, folder) in graded.items():
        page = (folder / "feedback.html").read_text()
        assert len(page.encode()) < MAX_BYTES, f"{assignment_id}/{name}: {len(page.encode())} bytes"
        parser = _Page()
        parser.feed(page)
        for tag, attribute, value in parser.links:  # nothing to fetch: data URIs and links inside the page only
            assert value.startswith("data:image/png;base64,") if attribute == "src" else value.startswith("#"), \
                f"{assignment_id}/{name}: <{tag} {attribute}={value[:60]}>"
        outside_images = re.sub(r"data:image/png;base64,[A-Za-z0-9+/=]*", "", page)
        assert not re.search(r"https?:|//", outside_images), f"{assignment_id}/{name}: a URL"
        assert "<script" not in page and "<link" not in page and "@import" not in page and "url(" not in page
        sources = _png_sources(page)
        assert len(sources) == sum(a == "src" for _, a, _ in parser.links)
        for data in sources:
            image = Image.open(io.BytesIO(data))
            assert image.format == "PNG" and min(image.size) >= 20
            image.verify()


def test_every_check_of_feedback_md_is_on_the_page(graded, config):
    """Every check on both, and what each lost one says (in the student's words: its message, or the unfilled cell
    it waits on)."""
    for (assignment_id, name), (result, folder) in graded.items():
        submission = folder.parents[2] / assignment_id / name  # where _graded built it
        feedback = student_feedback(result, assignment=load(assignment_id, config), config=config, submission=submission)
        text = _text((folder / "feedback.html").read_text(), "")
        markdown = (folder / "feedback.md").read_text()
        for check in result.checks:
            assert check.title in markdown and check.title in text, f"{assignment_id}/{name}: {check.title}"
            if check.score < check.max_score:
                said = check_output(feedback, check).removesuffix(".")
                assert said and said in markdown and said.replace("`", "") in text, f"{assignment_id}/{name}: {said}"
        assert f"{result.score:g} / {result.max_score:g}" in text


def test_each_picture_sits_under_its_own_check(graded, config):
    """The reference of every assignment: each declared figure drawn from the student's side (and the
    reference's where declared) and placed in the section of its check."""
    for (assignment_id, name), (result, folder) in graded.items():
        if name != "passes_all":
            continue
        figures = load(assignment_id, config).module("figures").FIGURES
        yours = [p for p in result.pictures if p.whose == "yours"]
        assert [(p.check, p.title) for p in yours] == [(f.check, f.title) for f in figures]
        assert all(p.png is not None for p in result.pictures), [p.note for p in result.pictures if p.note]
        assert len(result.pictures) == len(figures) + sum(f.show_reference for f in figures)
        page = (folder / "feedback.html").read_text()
        for figure in figures:
            section = page.split(f'id="check-{figure.check}"', 1)[1].split("</section>", 1)[0]
            assert figure.title.replace("'", "&#x27;") in section, f"{assignment_id}: {figure.title}"


def test_the_pictures_show_what_was_submitted(graded):
    """Honest pictures: an untrained network's confusion matrix and reconstructions differ from the
    reference's, and a submission without weight files gets a note per picture, never a picture."""
    right, wrong = (graded[("hw2", name)][0] for name in ("passes_all", "untrained_weights"))
    for check in ("test_model_weights_accuracy", "test_ae_weights_reconstruct"):
        ours = [p.png for p in right.pictures if p.check == check and p.whose == "yours"]
        theirs = [p.png for p in wrong.pictures if p.check == check and p.whose == "yours"]
        assert ours and all(a != b for a, b in zip(ours, theirs))
    [caption] = [p.caption for p in wrong.pictures if p.title.startswith("the confusion matrix") and p.whose == "yours"]
    assert "98." not in caption.split("%")[0]  # an untrained LeNet-5 is not 98% right
    blank = graded[("hw2", "blank_release")][0]
    yours = [p for p in blank.pictures if p.whose == "yours"]
    assert yours and all(p.png is None and ".pth was not submitted" in p.note for p in yours)
    assert any(p.whose == "reference" and p.png for p in blank.pictures)  # what they should get, shown anyway


def test_grading_is_unchanged_and_result_json_holds_no_picture(graded, config):
    assignment = load("hw2", config)
    auto, _ = points(assignment.solution_notebook)
    for name in HW2:
        result, folder = graded[("hw2", name)]
        assert mismatches(result, expected(assignment, name), max_score=auto) == []
        stored = json.loads((folder / RESULT_FILE).read_text())
        assert "pictures" not in stored and "fitted" not in stored and "base64" not in json.dumps(stored)


def test_a_figure_that_fails_is_left_out_with_a_note():
    def broken(view):
        raise KeyError("model_weights")

    view = View("yours", {}, {}, {}, {}, {"lenet": {}}, trusted=None)
    picture = draw(Figure("test_x", "a picture", broken, show_reference=False, models=("lenet",)), view,
                   unavailable={})
    assert picture.png is None and picture.note == "not drawn: nothing to draw (model_weights is missing)"
    missing = draw(Figure("test_x", "a picture", broken, show_reference=False, models=("vae",)), view,
                   unavailable={"vae": "mnist_vae_weights.pth was not submitted"})
    assert missing.note == "not drawn: mnist_vae_weights.pth was not submitted"


def test_a_latent_picture_puts_each_code_where_it_lies():
    """Three codes of three digits: a pixel of each digit's colour near where the axes put it, none elsewhere; the
    frame grows to hold every code, and says how many lie beyond the largest one."""
    codes, labels = torch.tensor([[0.0, 0.0], [2.0, 2.0], [9.0, 9.0]]), torch.tensor([0, 1, 2])
    pixels, caption = latent_scatter(codes, labels)
    assert caption == ""  # the frame holds the code at (9, 9)
    image = np.asarray(Image.open(io.BytesIO(png(pixels))).convert("RGB")).astype(int)
    blue, orange, green = (31, 119, 180), (255, 127, 14), (44, 160, 44)  # tab10's 0, 1 and 2

    def where(colour):
        rows, columns = np.nonzero((np.abs(image - colour).sum(axis=2) < 10))
        keep = rows > 40  # below the legend's digits at the top
        return rows[keep], columns[keep]

    (blue_rows, blue_columns), (orange_rows, orange_columns), (green_rows, green_columns) = (
        where(blue), where(orange), where(green))
    assert len(green_rows)  # the code at (9, 9) is drawn, up and to the right of the others
    # the origin's code is left of and below the code at (2, 2), which is left of and below (9, 9)
    assert np.median(blue_columns) < np.median(orange_columns) < np.median(green_columns)
    assert np.median(blue_rows) > np.median(orange_rows) > np.median(green_rows)
    _, caption = latent_scatter(torch.tensor([[0.0, 0.0], [500.0, 0.0], [float("nan"), 0.0]]), labels)
    assert caption == "1 of the 3 codes lie outside this frame; 1 codes are not finite numbers"


def test_without_pictures_the_page_still_holds_every_check_escaped(config, tmp_path):
    """``grade --no-figures`` (the config's feedback_figures off): the page keeps the scores and messages, and a
    message quoting the student's code cannot inject markup."""
    from autograder.cli import _parser
    from autograder.engine.grade import GradeResult
    from autograder.engine.grade.report import write_reports
    from autograder.engine.grade.run_checks import CheckResult

    assert _parser().parse_args(["grade", "--no-figures"]).figures is False
    assert _parser().parse_args(["grade"]).figures is True and config.feedback_figures is True
    hostile = '<img src="https://example.com/x.png" onerror="alert(1)">'
    result = GradeResult("mallory", [CheckResult("test_a", "transform: <Resize>", "transform", 0.5, 0.0, hostile),
                                     CheckResult("test_b", "model: an instance", "model", 0.5, 0.5, "")])
    write_reports(result, tmp_path, config=config, assignment=load("hw2", config))
    page = (tmp_path / "feedback.html").read_text()
    assert "<img" not in page and "&lt;img src=&quot;https://example.com" in page
    assert "transform: &lt;Resize&gt;" in page and "model: an instance" in page and "Autograded score: 0.5 / 1" in page


def test_the_reference_pictures_are_drawn_once_and_read_back(tmp_path):
    drawn = []

    def draw_them():
        drawn.append(1)
        return [Picture("test_x", "a picture", "reference", png(np.zeros((4, 4, 3), dtype=np.uint8))),
                Picture("test_y", "another", "reference", note="not drawn: no weights")]

    path = tmp_path / "reference_pictures.json"
    first = cached_pictures(path, draw_them)
    assert cached_pictures(path, draw_them) == first and len(drawn) == 1  # the second process reads the file
    path.write_text("{ cut short")  # a file that cannot be read is drawn again, and written whole
    assert cached_pictures(path, draw_them) == first and len(drawn) == 2
    assert cached_pictures(path, draw_them) == first and len(drawn) == 2


def test_the_reference_pictures_file_is_named_by_what_they_are_drawn_from(tmp_path):
    weights = tmp_path / "weights.pth"
    weights.write_bytes(b"one")
    before = content_key([weights], "inputs-1")
    assert content_key([weights], "inputs-1") == before
    assert content_key([weights], "inputs-2") != before
    weights.write_bytes(b"two")  # new reference weights: new pictures
    assert content_key([weights], "inputs-1") != before


def _text(page: str, separator: str = " ") -> str:
    """The page's text: its pieces joined by ``separator`` ("" to read it as the browser shows it)."""
    parser = _Page()
    parser.feed(page)
    return separator.join(parser.text)


def test_what_to_fix_comes_before_any_picture(graded):
    """The lost checks (or the unfilled cells they wait on) are listed, each linked to its section, above the first
    picture, in the notebook's order."""
    for (assignment_id, name), (result, folder) in graded.items():
        page = (folder / "feedback.html").read_text()
        first_picture = page.find("<img")
        lost = [c for c in result.checks if c.score < c.max_score]
        if not lost:
            assert "What to fix" not in page
            continue
        fix = page.index("<h2>What to fix</h2>")
        assert first_picture == -1 or fix < first_picture, f"{assignment_id}/{name}"
        # each lost check named there, linked to its section unless it only waits on an unfilled cell
        named = [page.index(f'href="#check-{c.name}"', fix) if f'id="check-{c.name}"' in page
                 else page.index(html.escape(c.title, quote=False), fix) for c in lost]
        assert first_picture == -1 or max(named) < first_picture, f"{assignment_id}/{name}"
        assert named == sorted(named), f"{assignment_id}/{name}: not in the notebook's order"


def test_no_hidden_grade_id_and_the_files_graded_are_named(graded, config):
    """Cells are named as the notebook shows them: no nbgrader grade_id the student never sees (one that is not
    also a name in the notebook's code) is in the page's text; the page says what it graded, when, from which files."""
    for (assignment_id, name), (result, folder) in graded.items():
        assignment = load(assignment_id, config)
        code = " ".join(source for _, source in graded_code_cells(assignment.release_notebook))
        cells = {c["nbgrader"]["grade_id"] for c in read_cells(assignment.release_notebook)
                 if isinstance(c["nbgrader"].get("grade_id"), str) and c["nbgrader"].get("grade")}
        hidden = {cell for cell in cells | set(assignment.settings.definition_cells)
                  if not re.search(rf"\b{re.escape(cell)}\b", code)}
        assert hidden, assignment_id  # the test would check nothing
        for text in (_text((folder / "feedback.html").read_text()), (folder / "feedback.md").read_text()):
            found = [cell for cell in hidden if re.search(rf"\b{re.escape(cell)}\b", text)]
            assert not found, f"{assignment_id}/{name}: {found}"
            assert re.search(rf"{assignment.settings.title}, submission {name}, graded \d{{4}}-\d\d-\d\d \d\d:\d\d UTC, "
                             rf"from {assignment.id}\.ipynb \([\d,]+ bytes, SHA-256 [0-9a-f]{{12}}…\)", text), \
                f"{assignment_id}/{name}: no provenance"


def test_an_unfilled_release_says_each_stub_once(graded):
    """hw2's release: one line per cell still holding the stub, never the SyntaxError it raises."""
    result, folder = graded[("hw2", "blank_release")]
    text = _text((folder / "feedback.html").read_text(), "")
    assert "SyntaxError" not in text and "NameError" not in text
    assert text.count("still holds ### YOUR CODE HERE ### (line 1: transform = ### YOUR CODE HERE ###)") == 1
