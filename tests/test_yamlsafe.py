"""The strict loader: exact scalars, and one positioned error for every kind of bad YAML."""

from __future__ import annotations

import codecs

import pytest

from nqpf_cli.yamlsafe import MAX_DEPTH, YamlProblem, decode, parse, plain


def load(text: str) -> object:
    root = parse(decode(text.encode("utf-8")))
    return plain(root) if root is not None else None


def problem(text: str | bytes) -> YamlProblem:
    data = text.encode("utf-8") if isinstance(text, str) else text
    with pytest.raises(YamlProblem) as caught:
        parse(decode(data))
    return caught.value


def test_yaml_1_1_scalars_stay_exactly_as_written() -> None:
    data = load(
        "country: NO\nanswer: off\ncode: 0123\ntime: 12:30\nversion: 1.10\n"
        "day: 2024-03-05\nbad: 2024-02-30\nyes: y\nempty:\nquoted: ''\n"
    )
    assert data == {
        "country": "NO",
        "answer": "off",
        "code": "0123",
        "time": "12:30",
        "version": "1.10",
        "day": "2024-03-05",
        "bad": "2024-02-30",
        "yes": "y",
        "empty": None,
        "quoted": "",
    }


def test_python_tag_is_refused_and_nothing_runs(tmp_path: object) -> None:
    err = problem("a: !!python/object/apply:os.system ['echo PWNED']\n")
    assert (err.rule, err.line, err.column) == ("yaml-tag", 1, 4)
    assert "python/object/apply" in err.message


def test_unknown_local_tag_is_refused() -> None:
    assert problem("a: !include other.yaml\n").rule == "yaml-tag"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: &x 1\nb: *x\n", 1, 4),
        ("base: &b {a: 1}\nderived:\n  <<: *b\n", 1, 7),
        ("a: &x [*x]\n", 1, 4),
    ],
)
def test_anchors_aliases_and_merge_keys_are_refused(text: str, line: int, column: int) -> None:
    err = problem(text)
    assert (err.rule, err.line, err.column) == ("yaml-alias", line, column)


def test_billion_laughs_is_refused_instantly() -> None:
    lines = ['a0: &a0 ["lol"]']
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    assert problem("\n".join(lines) + "\n").rule == "yaml-alias"


@pytest.mark.parametrize(
    ("text", "line", "first"),
    [
        ("a: 1\na: 2\n", 2, 1),
        ("entries:\n  - id: x\n    name: A\n    name: B\n", 4, 3),
        ("top:\n  inner: {k: 1, k: 2}\n", 2, 2),
    ],
)
def test_duplicate_keys_name_both_lines(text: str, line: int, first: int) -> None:
    err = problem(text)
    assert err.rule == "duplicate-key"
    assert err.line == line
    assert f"first defined at line {first}" in err.message


@pytest.mark.parametrize(
    ("text", "rule", "line", "column"),
    [
        ("a:\n\tb: 1\n", "yaml-syntax", 2, 1),
        ('a: "never closed\nb: 1\n', "yaml-syntax", 1, 4),
        ("a: [1, 2\n", "yaml-syntax", 2, 1),
        ("a: b: c\n", "yaml-syntax", 1, 5),
        ("a: 1\n---\nb: 2\n", "multi-document", 2, 1),
        ("? [a, b]\n: 1\n", "wrong-type", 1, 3),
    ],
)
def test_syntax_errors_have_positions(text: str, rule: str, line: int, column: int) -> None:
    err = problem(text)
    assert (err.rule, err.line, err.column) == (rule, line, column)


def test_tab_error_explains_tabs() -> None:
    assert "tab" in problem("a:\n\tb: 1\n").message


def test_empty_and_comment_only_files_are_empty_documents() -> None:
    assert load("") is None
    assert load("# only a comment\n") is None


def test_deep_nesting_is_bounded() -> None:
    err = problem("[" * (MAX_DEPTH + 5))
    assert err.rule == "too-deep"
    assert err.line == 1


@pytest.mark.parametrize(
    ("data", "line", "column"),
    [
        (b"a: caf\xe9\n", 1, 7),
        (b"a: 1\nb: \x1b[2J\n", 2, 4),
        (b"a: x\x00y\n", 1, 5),
        ("a: 1\nb: \ufeffc\n".encode(), 2, 4),
    ],
)
def test_bad_bytes_are_positioned(data: bytes, line: int, column: int) -> None:
    err = problem(data)
    assert (err.rule, err.line, err.column) == ("encoding", line, column)


def test_bom_and_utf16_are_accepted() -> None:
    assert plain(parse(decode(codecs.BOM_UTF8 + "a: 新\n".encode()))) == {"a": "新"}  # type: ignore[arg-type]
    assert plain(parse(decode("a: 新\n".encode("utf-16")))) == {"a": "新"}  # type: ignore[arg-type]


def test_escaped_control_characters_are_data() -> None:
    assert load('a: "\\e[31mred"\n') == {"a": "\x1b[31mred"}


def test_size_limit() -> None:
    with pytest.raises(YamlProblem) as caught:
        decode(b"a" * (16 * 1024 * 1024 + 1))
    assert caught.value.rule == "file-too-large"
