"""Functions stay short: none over 60 lines or above complexity 15, but those listed before the rule came.

How functions are measured is in tests/function_size.py; the list is tests/function_size_allowlist.txt.
"""

import textwrap

import pytest

from tests.function_size import (
    ALLOWLIST,
    MAX_COMPLEXITY,
    MAX_LINES,
    PACKAGES,
    Size,
    changes,
    format_allowlist,
    measure,
    measure_file,
    parse_allowlist,
    ratchet_problems,
)


@pytest.fixture(scope="module")
def project_sizes() -> dict[str, Size]:
    """Every function of the measured packages, measured once for this module."""
    return measure()


def test_no_function_breaks_a_limit_beyond_the_allowlist(project_sizes: dict[str, Size]) -> None:
    problems = ratchet_problems(project_sizes, parse_allowlist(ALLOWLIST.read_text(encoding="utf-8")))
    assert not problems, "\n".join(problems)


def test_the_allowlist_is_as_its_command_writes_it() -> None:
    text = ALLOWLIST.read_text(encoding="utf-8")
    assert text == format_allowlist(parse_allowlist(text)), "sorted, one line each, the header first"


# The ratchet, on made-up measures.

LONG = Size(MAX_LINES + 20, 3)
SHORT = Size(12, 3)


def test_a_new_long_function_is_refused() -> None:
    (problem,) = ratchet_problems({"desktop/a.py::f": LONG}, {})
    assert problem.startswith("desktop/a.py::f has 80 lines")


def test_a_new_branchy_function_is_refused() -> None:
    (problem,) = ratchet_problems({"desktop/a.py::f": Size(20, MAX_COMPLEXITY + 1)}, {})
    assert "complexity 16" in problem


def test_a_function_at_the_limits_is_accepted() -> None:
    assert ratchet_problems({"desktop/a.py::f": Size(MAX_LINES, MAX_COMPLEXITY)}, {}) == []


def test_a_listed_function_may_stay_as_it_was() -> None:
    listed = {"training/t.py::run": Size(97, 15), "desktop/b.py::g": Size(70, 20)}
    assert ratchet_problems(dict(listed), listed) == []


def test_a_listed_function_that_shrank_but_still_breaks_a_limit_is_listed_at_its_new_size() -> None:
    (problem,) = ratchet_problems({"desktop/b.py::g": Size(65, 18)}, {"desktop/b.py::g": Size(70, 20)})
    assert "list the new size so it cannot grow back" in problem


@pytest.mark.parametrize("grown", [Size(98, 15), Size(90, 16)], ids=["longer", "branchier"])
def test_a_listed_function_may_not_grow(grown: Size) -> None:
    (problem,) = ratchet_problems({"training/t.py::run": grown}, {"training/t.py::run": Size(97, 15)})
    assert "may only shrink" in problem


def test_a_listed_function_now_within_the_limits_must_leave_the_list() -> None:
    (problem,) = ratchet_problems({"desktop/b.py::g": SHORT}, {"desktop/b.py::g": LONG})
    assert "take it off the allowlist" in problem


def test_a_listed_function_that_is_gone_must_leave_the_list() -> None:
    (problem,) = ratchet_problems({}, {"desktop/old.py::gone": LONG})
    assert "no longer exists" in problem


def test_the_allowlist_reads_back_what_it_wrote() -> None:
    listed = {"desktop/b.py::Panel.__init__": Size(156, 10), "build_scripts/x.py::f": Size(61, 2)}
    assert parse_allowlist(format_allowlist(listed)) == listed


def test_rewriting_the_allowlist_names_what_it_adds_removes_and_changes() -> None:
    before = {"desktop/a.py::f": Size(70, 3), "desktop/b.py::g": Size(80, 20)}
    after = {"desktop/b.py::g": Size(75, 20), "desktop/history/c.py::f": Size(70, 3)}
    assert changes(before, after) == [
        "removed desktop/a.py::f",
        "changed desktop/b.py::g 80 20 -> 75 20",
        "added   desktop/history/c.py::f 70 3",
    ]


@pytest.mark.parametrize(
    "line", ["desktop/a.py::f 80", "desktop/a.py f 80 3", "desktop/a.py::f eighty 3"], ids=str
)
def test_a_malformed_allowlist_line_is_named(line: str) -> None:
    with pytest.raises(ValueError, match="line 1 is not"):
        parse_allowlist(line)


# What is measured.


def _sizes(tmp_path, source: str) -> dict[str, Size]:
    path = tmp_path / "pkg" / "mod.py"
    path.parent.mkdir()
    path.write_text(textwrap.dedent(source), encoding="utf-8")
    return {key.split("::")[1]: size for key, size in measure_file(path, tmp_path).items()}


def test_length_counts_from_the_def_to_the_last_line_without_decorators(tmp_path) -> None:
    sizes = _sizes(
        tmp_path,
        '''
        @decorator
        @another(
            argument=1,
        )
        def f(
            a,
        ):
            """Docstring."""
            return a
        ''',
    )
    assert sizes["f"].lines == 5


def test_a_straight_function_has_complexity_one(tmp_path) -> None:
    assert _sizes(tmp_path, "def f(a):\n    with a:\n        return a\n")["f"].complexity == 1


def test_complexity_counts_each_decision_as_radon_does(tmp_path) -> None:
    sizes = _sizes(
        tmp_path,
        """
        def f(a, b, items):
            if a and b or a:                      # if: 1, and/or: 2
                pass
            elif b:                               # 1
                pass
            for x in items:                       # 1, and its else: 1
                pass
            else:
                pass
            while a:                              # 1
                break
            try:                                  # two handlers: 2, else: 1, finally: 0
                pass
            except ValueError:
                pass
            except KeyError:
                pass
            else:
                pass
            finally:
                pass
            assert a and b                        # 1, its condition not looked into
            y = [x for x in items if x if not x]  # for: 1, ifs: 2
            z = a if b else None                  # 1
            match a:                              # two cases but the wildcard: 2
                case 1:
                    pass
                case 2:
                    pass
                case _:
                    pass
            return lambda: 1 if a else 2          # a lambda's own branches: 1
        """,
    )
    assert sizes["f"].complexity == 1 + 3 + 1 + 2 + 1 + 3 + 1 + 3 + 1 + 2 + 1


def test_nested_functions_and_classes_are_measured_on_their_own(tmp_path) -> None:
    sizes = _sizes(
        tmp_path,
        """
        class Outer:
            def method(self, a):
                def helper(b):
                    if b:
                        return 1
                    return 2

                class Local:
                    def check(self, c):
                        return c or a

                return helper(a)
        """,
    )
    assert sizes == {
        "Outer.method": Size(11, 1),
        "Outer.method.<locals>.helper": Size(4, 2),
        "Outer.method.<locals>.Local.check": Size(2, 2),
    }


def test_every_package_is_measured(project_sizes: dict[str, Size]) -> None:
    for package in PACKAGES:
        assert any(key.startswith(f"{package}/") for key in project_sizes), (
            f"nothing measured under {package}"
        )
