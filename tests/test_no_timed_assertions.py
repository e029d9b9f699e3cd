"""No test asserts a duration: a loaded machine must not fail `make test`. Timings live in bench/.

A deadline that only bounds a wait for a worker (`while ... and time.monotonic() < deadline`) is not an
assertion and is allowed.
"""

import ast
from pathlib import Path

import pytest

TESTS = Path(__file__).resolve().parent
TIMING_WORDS = ("elapsed", "took", "duration", "seconds")
CLOCKS = {"perf_counter", "perf_counter_ns", "monotonic", "monotonic_ns", "time", "time_ns", "process_time"}


def _is_clock_call(node):
    if not isinstance(node, ast.Call):
        return False
    func = node.func
    name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
    return name in CLOCKS


def _is_timing(expression):
    """A name such as `elapsed` or `took_s`, or a difference of clock readings, anywhere in `expression`."""
    for node in ast.walk(expression):
        name = node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else ""
        if any(word in name.lower() for word in TIMING_WORDS):
            return True
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Sub)
            and any(_is_clock_call(n) for side in (node.left, node.right) for n in ast.walk(side))
        ):
            return True
    return False


def _bounds_a_duration(compare):
    operands = [compare.left, *compare.comparators]
    return any(
        (isinstance(op, ast.Lt | ast.LtE) and _is_timing(left))
        or (isinstance(op, ast.Gt | ast.GtE) and _is_timing(right))
        for op, left, right in zip(compare.ops, operands[:-1], operands[1:], strict=True)
    )


def timed_assertions(source, filename="<source>"):
    """Line numbers of the asserts that bound a duration from above (`elapsed < 5`, `5 >= took`)."""
    return [
        node.lineno
        for node in ast.walk(ast.parse(source, filename))
        if isinstance(node, ast.Assert)
        and any(_bounds_a_duration(n) for n in ast.walk(node.test) if isinstance(n, ast.Compare))
    ]


@pytest.mark.parametrize(
    "source, flagged",
    [
        ("assert elapsed < 5", True),
        ("assert 0 < took_ms <= 200, took_ms", True),
        ("assert 5 > duration", True),
        ("assert len(pages) == 35 and round(elapsed, 1) < 1.5", True),
        ("assert time.perf_counter() - started < 2", True),
        ("assert monotonic() - t0 <= 1", True),
        ("assert self.seconds < 3", True),
        ("assert elapsed > 0", False),
        ('assert 1 <= tutorial["duration_minutes"] <= 60', False),
        ("while report.is_running and time.monotonic() < deadline:\n    pass", False),
        ("assert time.monotonic() < deadline", False),
        ("assert count < 5", False),
    ],
)
def test_the_scan_finds_timed_assertions(source, flagged):
    assert bool(timed_assertions(source)) is flagged


def test_no_test_asserts_a_duration():
    found = [
        f"{path.relative_to(TESTS.parent)}:{line}"
        for path in sorted(TESTS.rglob("*.py"))
        for line in timed_assertions(path.read_text(encoding="utf-8"), str(path))
    ]
    assert not found, (
        "Ces assertions dépendent de la vitesse de la machine ; mesurez dans bench/ (docs/benchmarks.md) : "
        + ", ".join(found)
    )
