"""`make bench`'s table: each figure against its assignment's own targets (no grading here: figures given)."""

from autograder.engine.assignment import load
from autograder.engine.bench import Row, machine, table


def _row(assignment_id: str, per_minute_2: float, cold: float, times: float) -> Row:
    return Row(load(assignment_id), {1: per_minute_2 / 2, 2: per_minute_2}, cold, times,
               {"grader": 1100.0, "server": 750.0}, integrity=2.0)


def test_each_assignment_is_held_to_its_own_targets():
    # 60 a minute and 6 s meet every assignment's 50 and 10 s, but not hw2's 100, 5 s and 20 times nbgrader
    hw2, bending = _row("hw2", 60.0, 6.0, 15.0), _row("bending", 60.0, 6.0, 15.0)
    assert [met for _, met in hw2.checks] == [False, False, False, True]
    assert [met for _, met in bending.checks] == [True, True, True]  # no nbgrader target of its own
    lines = table([hw2, bending]).splitlines()
    assert "60.0 >= 100 NO" in lines[2] and "6.0 <= 5 NO" in lines[2] and "NOT met" in lines[2]
    assert "60.0 >= 50 ok" in lines[3] and "1100 + 750" in lines[3] and lines[3].rstrip(" |").endswith("met")
    assert all(line.count("|") == lines[0].count("|") for line in lines)


def test_a_fast_hw2_meets_every_target():
    assert all(met for _, met in _row("hw2", 120.0, 4.0, 25.0).checks)


def test_the_machine_line_names_load_and_cpus():
    assert "load average" in machine() and "CPUs" in machine()
