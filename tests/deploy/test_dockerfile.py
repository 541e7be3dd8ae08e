"""The Dockerfile parser and stage evaluation."""

from __future__ import annotations

from flaskwarden.deploy.dockerfile import env_pairs, parse, stages, substitute, words


def test_instructions_continuations_comments_and_json_form() -> None:
    parsed = parse(
        "# syntax=docker/dockerfile:1\n"
        "FROM python:3.12 AS base\n"
        "ENV A=1 \\\n"
        "    # dropped comment\n"
        "\n"
        '    B="two words"\n'
        'CMD ["gunicorn", "app:app"]\n'
        "entrypoint flask run\n"
    )
    keywords = [(i.keyword, i.line, i.end_line) for i in parsed.instructions]
    assert keywords == [("FROM", 2, 2), ("ENV", 3, 6), ("CMD", 7, 7), ("ENTRYPOINT", 8, 8)]
    assert parsed.instructions[2].exec_form == ("gunicorn", "app:app")
    assert parsed.instructions[3].exec_form is None
    assert env_pairs(parsed.instructions[1].text) == [("A", "1"), ("B", "two words")]
    assert parsed.problems == []


def test_escape_directive_backtick() -> None:
    parsed = parse("# escape=`\nFROM windows\nENV A=1 `\n    B=2\nRUN dir c:\\\n")
    assert parsed.escape == "`"
    assert [i.keyword for i in parsed.instructions] == ["FROM", "ENV", "RUN"]
    assert env_pairs(parsed.instructions[1].text, "`") == [("A", "1"), ("B", "2")]


def test_directive_only_at_top() -> None:
    parsed = parse("FROM x\n# escape=`\nENV A=1 \\\n  B=2\n")
    assert parsed.escape == "\\"
    assert env_pairs(parsed.instructions[1].text) == [("A", "1"), ("B", "2")]


def test_heredocs_are_skipped_whole() -> None:
    parsed = parse(
        "FROM x\nRUN <<EOF\nCMD not an instruction\nFROM neither\nEOF\n"
        'COPY <<-CONF /etc/app.conf\n\tENV nope\n\tCONF\nCMD ["flask", "run"]\n'
    )
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN", "COPY", "CMD"]
    assert parsed.problems == []


def test_unterminated_heredoc_and_unknown_instruction_are_problems() -> None:
    parsed = parse("FROM x\nFROBNICATE all\nRUN <<EOF\necho\n")
    messages = [message for _, message in parsed.problems]
    assert any("FROBNICATE" in m for m in messages)
    assert any("not terminated" in m for m in messages)
    assert [i.keyword for i in parsed.instructions] == ["FROM", "RUN"]


def test_env_legacy_form_and_quotes() -> None:
    assert env_pairs("FLASK_DEBUG 1") == [("FLASK_DEBUG", "1")]
    assert env_pairs("MSG hello world") == [("MSG", "hello world")]
    assert env_pairs('A=\'x y\' B="q\\"z" C=plain\\ space') == [
        ("A", "x y"),
        ("B", 'q"z'),
        ("C", "plain space"),
    ]
    assert words("'a b' c") == ["a b", "c"]


def test_substitution_forms() -> None:
    values = {"SET": "1", "EMPTY": "", "UNKNOWN": None}
    assert substitute("$SET-${SET}", values) == ("1-1", ["SET", "SET"])
    assert substitute("${MISSING:-d}", values)[0] == "d"
    assert substitute("${EMPTY:-d}", values)[0] == "d"
    assert substitute("${EMPTY-d}", values)[0] == ""
    assert substitute("${SET:+alt}", values)[0] == "alt"
    assert substitute("${EMPTY:+alt}", values)[0] == ""
    assert substitute("\\$SET", values)[0] == "$SET"
    assert substitute("$UNKNOWN", values)[0] is None


def test_stages_inherit_env_workdir_and_command() -> None:
    parsed = parse(
        "ARG PY=3.12\n"
        "FROM python:${PY} AS base\n"
        "ARG DEBUG=0\n"
        "ENV FLASK_DEBUG=$DEBUG\n"
        "WORKDIR /app\n"
        'CMD ["gunicorn", "app:app"]\n'
        "FROM base AS final\n"
        "ENV EXTRA=1\n"
        "FROM base AS wrapped\n"
        'ENTRYPOINT ["tini", "--"]\n'
    )
    base, final, wrapped = stages(parsed)
    assert base.base == "python:3.12"
    assert base.env["FLASK_DEBUG"].value == "0"
    assert base.env["FLASK_DEBUG"].args_used == (("DEBUG", "0", 3),)
    assert final.parent == 0 and final.workdir == "/app"
    assert set(final.env) == {"FLASK_DEBUG", "EXTRA"}
    assert final.cmd is not None and final.cmd.line == 6
    # ENTRYPOINT resets a CMD inherited from the base stage
    assert wrapped.cmd is None and wrapped.entrypoint is not None
    assert stages(parsed, {"DEBUG": "1"})[1].env["FLASK_DEBUG"].value == "1"


def test_copy_destinations() -> None:
    parsed = parse(
        "FROM x\nWORKDIR /srv\nCOPY a.py b.py ./\nCOPY --from=build /out /opt\nCOPY . .\n"
    )
    (stage,) = stages(parsed)
    first, from_stage, everything = stage.copies
    assert first.sources == ("a.py", "b.py") and first.dest == "/srv" and first.into_dir
    assert from_stage.from_stage == "build"
    assert everything.dest == "/srv" and everything.into_dir


def test_garbage_never_raises() -> None:
    for text in ("", "\\\n\\\n", "FROM\n", "ENV\n", "ARG =\n", 'CMD ["unterminated\n', "\0\0"):
        parse(text)
        stages(parse(text))
