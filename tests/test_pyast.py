"""Reading Python migration files as trees: literal evaluation and version comparison."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from harvester.migrations import pyast
from harvester.migrations.pyast import Call, Code, Ref


def _module(text: str) -> pyast.Module:
    module = pyast.parse_module(text)
    assert isinstance(module, pyast.Module)
    return module


def test_evaluates_calls_literals_and_names() -> None:
    module = _module(
        "from datetime import timedelta as td\n"
        "LIMIT = 150\n"
        "x = models.CharField(max_length=LIMIT, default='a' 'b', choices=[(1, 'x')],\n"
        "                     to=settings.AUTH_USER_MODEL, grace=td(days=1), n=-2, f=lambda: 1)\n"
    )
    value = module.evaluate(module.constants["x"])
    assert isinstance(value, Call)
    assert value.func == "models.CharField"
    assert value.name == "CharField"
    assert value.kwargs["max_length"] == 150
    assert value.kwargs["default"] == "ab"
    assert value.kwargs["choices"] == ((1, "x"),)
    assert value.kwargs["to"] == Ref("settings.AUTH_USER_MODEL")
    assert value.kwargs["n"] == -2
    grace = value.kwargs["grace"]
    assert isinstance(grace, Call) and grace.func == "timedelta"
    assert isinstance(value.kwargs["f"], Code)


def test_arguments_by_position_or_keyword() -> None:
    call = pyast.evaluate(ast.parse("f('a', b=2)", mode="eval").body)
    assert isinstance(call, Call)
    assert call.get("first", 0) == "a"
    assert call.get("b", 1) == 2
    assert call.get("missing", 5, default="d") == "d"
    assert call.has("first", 0) and not call.has("other", 3)


def test_self_referencing_names_do_not_loop() -> None:
    module = _module("a = b\nb = a\n")
    assert isinstance(module.evaluate(module.constants["a"]), Ref)


def test_syntax_error_is_a_problem_with_its_line() -> None:
    problem = pyast.parse_module("x = 1\ndef broken(:\n")
    assert isinstance(problem, pyast.SyntaxProblem)
    assert problem.line == 2
    assert problem.message.startswith("not parsed: Python syntax error")


_SAME = [
    ("x = [1,2]\n", "x = [\n    1,\n    2,\n]  # comment\n"),
    ('"""Doc."""\nx = 1\n', "x = 1\n"),
    ("def f(a):\n    return a\n", "def f(a: int) -> int:\n    return a\n"),
    ("from a import b, c\nx = b(c)\n", "from a import c\nfrom a import b\nx = b(c)\n"),
    ("x = 1\n", "from __future__ import annotations\nfrom typing import Any\nx = 1\n"),
    ("x = set([('a', 'b')])\n", "x = {('a', 'b')}\n"),
    ("x = u'a'\n", "x = 'a'\n"),
    ("x: int = 1\n", "x = 1\n"),
]
_DIFFERENT = [
    ("x = 1\n", "x = 2\n"),
    ("from a import b\nx = b()\n", "from c import b\nx = b()\n"),
    ("def f():\n    return 1\n", "def f():\n    return None\n"),
    ("x = set()\n", "x = {}\n"),
]


@pytest.mark.parametrize(("old", "new"), _SAME)
def test_fingerprint_ignores_what_python_ignores(old: str, new: str) -> None:
    assert pyast.fingerprint(ast.parse(old)) == pyast.fingerprint(ast.parse(new))


@pytest.mark.parametrize(("old", "new"), _DIFFERENT)
def test_fingerprint_sees_changes(old: str, new: str) -> None:
    assert pyast.fingerprint(ast.parse(old)) != pyast.fingerprint(ast.parse(new))


def test_fingerprint_of_a_part_is_the_same_inside_the_whole_file() -> None:
    # Parts keep their text on the node: asking for the part after the whole (or again) must
    # give what a fresh tree gives.
    text = "class Migration:\n    operations = [f(1), g(x=set([2]))]\n"
    tree = ast.parse(text)
    whole = pyast.fingerprint(tree)
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and n.func.id in "fg"]
    fresh = [n for n in ast.walk(ast.parse(text)) if isinstance(n, ast.Call) and n.func.id in "fg"]
    assert [pyast.fingerprint(c) for c in calls] == [pyast.fingerprint(c) for c in fresh]
    assert pyast.fingerprint(tree) == whole
    assert "Set(" in whole and "Constant(2" in whole


def test_changed_definitions_names_the_parts() -> None:
    old = pyast.definitions(ast.parse("import os\ndef up():\n    pass\nrevision = 'a'\n"))
    new = pyast.definitions(ast.parse("import os\ndef up():\n    x()\ndef down():\n    pass\n"))
    assert pyast.changed_definitions(old, new) == (
        "function up",
        "function down added",
        "revision = removed",
    )


def test_noop_bodies() -> None:
    functions = _module(
        "def a(x, y):\n    pass\n"
        "def b(x, y):\n    '''Nothing.'''\n    return None\n"
        "def c(x, y):\n    x.save()\n"
    ).functions
    assert pyast.is_noop_body(functions["a"])
    assert pyast.is_noop_body(functions["b"])
    assert not pyast.is_noop_body(functions["c"])


@given(st.text(max_size=200))
def test_parse_never_raises(text: str) -> None:
    result = pyast.parse_module(text)
    assert isinstance(result, (pyast.Module, pyast.SyntaxProblem))


def test_string_methods_and_list_copies_of_literals_are_evaluated() -> None:
    module = pyast.parse_module("COLUMNS = ('a', 'b')\n")
    assert isinstance(module, pyast.Module)
    value = module.evaluate(ast.parse("'book_id'.replace('_', '.')", mode="eval").body)
    assert value == "book.id"
    assert module.evaluate(ast.parse("list(COLUMNS)", mode="eval").body) == ("a", "b")
    # a call kept through a loop binding stays a call, not None
    bound = pyast.bind(ast.Name(id="c"), pyast.Call("sa.text", ("lower(name)",), {}, 3))
    assert module.evaluate(bound["c"]) == pyast.Call("sa.text", ("lower(name)",), {}, 3)
