"""Regenerating a document people have edited: their words survive, the facts are refreshed."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from repo_builder import RepoBuilder

from harvester.living import Part, fingerprint, merge, parse, stamp
from tests.conftest import CliResult

Run = Callable[..., CliResult]

OLD_RANGE = "v1.0..HEAD~4"
NEW_RANGE = "v1.0..v1.1"


def _people_text(text: str) -> list[str]:
    return [s for s in parse(text) if isinstance(s, str)]


def _parts(text: str) -> dict[str, str]:
    return {s.name: s.body for s in parse(text) if isinstance(s, Part)}


def _write(run_cli: Run, sample: RepoBuilder, target: Path, *args: str) -> CliResult:
    result = run_cli("report", "--repo", str(sample.path), "-o", str(target), *args)
    assert result.code == 0, result.err
    return result


def _fresh(run_cli: Run, sample: RepoBuilder, tmp_path: Path, range_text: str) -> str:
    target = tmp_path / f"fresh-{range_text.replace('.', '_').replace('~', '-')}.md"
    _write(run_cli, sample, target, range_text)
    return target.read_text(encoding="utf-8")


def _edit_everywhere(text: str) -> str:
    """What people do to a draft: fill every prompt, write between list items and at the end."""
    out = []
    for number, segment in enumerate(parse(text)):
        if isinstance(segment, Part):
            out.append(segment.text)
            continue
        edited = re.sub(r"\[[^\]\n]+\]", f"our answer {number}", segment)
        edited = edited.replace(
            "\n- **", f"\n- a point a reviewer added ({number})\n- **", 1
        ).replace("✍️ *For a person to write.*", f"Written by Grace ({number}).")
        out.append(edited)
    return "".join(out) + "\n## Sign-off\n\nApproved by the release team. 🚀\n"


def test_regeneration_keeps_every_human_edit_and_refreshes_the_facts(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, OLD_RANGE)
    edited = _edit_everywhere(doc.read_text(encoding="utf-8"))
    doc.write_text(edited, encoding="utf-8")

    result = _write(run_cli, sample, doc, NEW_RANGE)

    regenerated = doc.read_text(encoding="utf-8")
    assert result.err == ""
    assert _people_text(regenerated) == _people_text(edited)
    assert _parts(regenerated) == _parts(_fresh(run_cli, sample, tmp_path, NEW_RANGE))
    assert _parts(regenerated) != _parts(edited)
    assert regenerated.endswith("Approved by the release team. 🚀\n")


def test_a_second_run_changes_nothing(sample: RepoBuilder, tmp_path: Path, run_cli: Run) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, NEW_RANGE)
    doc.write_text(_edit_everywhere(doc.read_text(encoding="utf-8")), encoding="utf-8")
    _write(run_cli, sample, doc, NEW_RANGE)
    first = doc.read_bytes()
    stamp = doc.stat().st_mtime_ns
    os.utime(doc, ns=(stamp - 10**9, stamp - 10**9))

    _write(run_cli, sample, doc, NEW_RANGE)

    assert doc.read_bytes() == first
    assert doc.stat().st_mtime_ns == stamp - 10**9, "an unchanged document is not rewritten"
    again = run_cli("report", "--repo", str(sample.path), NEW_RANGE)
    assert again.out == run_cli("report", "--repo", str(sample.path), NEW_RANGE).out


def test_an_edit_inside_a_machine_part_is_kept_with_a_note(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, OLD_RANGE)
    original = doc.read_text(encoding="utf-8")
    mine = "- **by hand**: the billing change is the one to watch, says Linus\n"
    edited = original.replace(
        "<!-- harvester:end key-commits -->", mine + "<!-- harvester:end key-commits -->"
    )
    doc.write_text(edited, encoding="utf-8")

    kept = _write(run_cli, sample, doc, NEW_RANGE)

    text = doc.read_text(encoding="utf-8")
    assert "kept the hand edits in key-commits" in kept.err and "--force" in kept.err
    assert len(kept.err.splitlines()) == 1
    assert _parts(text)["key-commits"] == _parts(edited)["key-commits"]
    assert "Edited by hand" in _parts(text)["kept-key-commits"]
    fresh = _parts(_fresh(run_cli, sample, tmp_path, NEW_RANGE))
    assert _parts(text)["files"] == fresh["files"], "other parts are still refreshed"

    _write(run_cli, sample, doc, NEW_RANGE)
    assert doc.read_text(encoding="utf-8") == text, "keeping is stable: no note piles up"

    forced = _write(run_cli, sample, doc, NEW_RANGE, "--force")
    assert forced.err == ""
    assert _parts(doc.read_text(encoding="utf-8")) == fresh
    assert _people_text(doc.read_text(encoding="utf-8")) == _people_text(edited)


def test_deleting_a_hint_inside_a_part_counts_as_an_edit(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, NEW_RANGE)
    text = doc.read_text(encoding="utf-8")
    edited = re.sub(r"> - \\#12 fixed by.*\n", "", text)
    assert edited != text
    doc.write_text(edited, encoding="utf-8")
    result = _write(run_cli, sample, doc, NEW_RANGE)
    assert "kept the hand edits in hints-bugs" in result.err
    assert "#12 fixed" not in _parts(doc.read_text(encoding="utf-8"))["hints-bugs"]


def _reformat(text: str) -> str:
    """What Markdown formatters do: other bullets, renumbered lists, fewer escapes, blank lines
    around HTML comments, wrapped lines, stripped trailing spaces, Windows line ends."""
    text = re.sub(r"^(\s*)- ", r"\1* ", text, flags=re.M)
    text = re.sub(r"^(\s*)\d+\. ", r"\g<1>1. ", text, flags=re.M)
    text = text.replace("\\_", "_").replace("\\#", "#")
    text = re.sub(r"^(<!-- harvester:(?:begin|end) [^>]*-->)$", r"\n\1\n", text, flags=re.M)
    text = re.sub(r"^(> \* .{50,}?) (.*)$", r"\1\n>   \2", text, flags=re.M)
    text = re.sub(r"[ \t]+$", "", text, flags=re.M)
    return text.replace("\n", "\r\n")


def test_a_reformatted_document_regenerates_without_false_edits(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, OLD_RANGE)
    reformatted = _reformat(_edit_everywhere(doc.read_text(encoding="utf-8")))
    doc.write_bytes(reformatted.encode("utf-8"))

    result = _write(run_cli, sample, doc, NEW_RANGE)

    text = doc.read_bytes().decode("utf-8")
    assert result.err == "", "formatting is not an edit"
    assert _people_text(text) == _people_text(reformatted)
    fresh = _fresh(run_cli, sample, tmp_path, NEW_RANGE)
    assert {k: v.replace("\r\n", "\n") for k, v in _parts(text).items()} == _parts(fresh)
    assert "\n" not in text.replace("\r\n", ""), "the document keeps its Windows line ends"


def test_a_part_deleted_by_hand_stays_out_until_forced(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, NEW_RANGE)
    text = doc.read_text(encoding="utf-8")
    without = re.sub(
        r"<!-- harvester:begin hints-bugs .*?<!-- harvester:end hints-bugs -->\n",
        "We fixed two bugs; see the table.\n",
        text,
        flags=re.S,
    )
    doc.write_text(without, encoding="utf-8")

    left_out = _write(run_cli, sample, doc, NEW_RANGE)
    assert "hints-bugs deleted by hand, left out" in left_out.err
    assert doc.read_text(encoding="utf-8") == without

    _write(run_cli, sample, doc, NEW_RANGE, "--force")
    restored = doc.read_text(encoding="utf-8")
    assert "We fixed two bugs; see the table." in restored
    assert list(_parts(restored)) == list(_parts(text))


def test_people_bytes_survive_exactly(sample: RepoBuilder, tmp_path: Path, run_cli: Run) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, OLD_RANGE)
    raw = doc.read_bytes()
    edited = b"\xef\xbb\xbf" + raw.replace(
        b"## Bugs Fixed\n", b"## Bugs Fixed\nLatin-1: caf\xe9\t \n"
    )
    doc.write_bytes(edited)
    _write(run_cli, sample, doc, NEW_RANGE)
    result = doc.read_bytes()
    assert result.startswith(b"\xef\xbb\xbf<!-- harvester:begin title h=")
    assert b"## Bugs Fixed\nLatin-1: caf\xe9\t \n" in result


def test_a_foreign_file_is_never_overwritten_without_force(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text("# Our notes\n\nNothing generated here.\n", encoding="utf-8")
    refused = run_cli("report", "--repo", str(sample.path), NEW_RANGE, "-o", str(notes))
    assert refused.code == 1
    assert refused.err == (
        f"harvester: error: {notes} exists and was not written by harvester; refusing to "
        "overwrite it (use --force, or choose another file)\n"
    )
    assert notes.read_text(encoding="utf-8") == "# Our notes\n\nNothing generated here.\n"
    _write(run_cli, sample, notes, NEW_RANGE, "--force")
    assert "Technical Implementation" in notes.read_text(encoding="utf-8")


def test_an_empty_file_and_a_harvester_json_report_may_be_replaced(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    empty = tmp_path / "empty.md"
    empty.write_text("\n")
    _write(run_cli, sample, empty, NEW_RANGE)
    assert "Technical Implementation" in empty.read_text(encoding="utf-8")
    report = tmp_path / "report.out"
    _write(run_cli, sample, report, NEW_RANGE, "--format", "json")
    _write(run_cli, sample, report, NEW_RANGE)
    assert "Technical Implementation" in report.read_text(encoding="utf-8")


def test_json_is_never_written_over_a_document_people_edited(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, NEW_RANGE)
    before = doc.read_bytes()
    refused = run_cli(
        "report", "--repo", str(sample.path), NEW_RANGE, "--format", "json", "-o", str(doc)
    )
    assert refused.code == 1 and "writing JSON over it would lose their text" in refused.err
    assert doc.read_bytes() == before


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (("<!-- harvester:end files -->\n", ""), "begin files has no end"),
        (("<!-- harvester:begin files", "<!-- harvester:begin filez"), "end files without"),
    ],
)
def test_broken_markers_stop_the_regeneration(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run, damage: tuple[str, str], message: str
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, NEW_RANGE)
    broken = doc.read_text(encoding="utf-8").replace(*damage)
    doc.write_text(broken, encoding="utf-8")
    result = run_cli("report", "--repo", str(sample.path), NEW_RANGE, "-o", str(doc), "--force")
    assert result.code == 1 and message in result.err and "fix the markers" in result.err
    assert re.search(r"doc\.md: line \d+: harvester marker", result.err)
    assert doc.read_text(encoding="utf-8") == broken


def test_a_crash_mid_write_leaves_the_old_file_intact(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = tmp_path / "doc.md"
    _write(run_cli, sample, doc, OLD_RANGE)
    before = doc.read_bytes()

    def disk_full(*_: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("harvester.writer.os.replace", disk_full)
    full = run_cli("report", "--repo", str(sample.path), NEW_RANGE, "-o", str(doc))
    assert full.code == 1
    assert full.err == f"harvester: error: cannot write {doc}: No space left on device\n"
    assert doc.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]

    def interrupted(*_: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr("harvester.writer.os.fsync", interrupted)
    stopped = run_cli("report", "--repo", str(sample.path), NEW_RANGE, "-o", str(doc))
    assert stopped.code == 130
    assert doc.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["doc.md"]


def test_output_through_a_symlink_updates_the_target(
    sample: RepoBuilder, tmp_path: Path, run_cli: Run
) -> None:
    real = tmp_path / "docs" / "release.md"
    real.parent.mkdir()
    link = tmp_path / "release.md"
    link.symlink_to(real)
    _write(run_cli, sample, link, NEW_RANGE)
    assert link.is_symlink() and "Technical Implementation" in real.read_text(encoding="utf-8")


def test_fingerprints_ignore_formatting_but_not_words() -> None:
    body = "1. `0042_add_index` — added\n2. `0043_fill` — added; see \\#12 &amp; more\n"
    same = "1. 0042_add_index — added\n1. 0043_fill —\n   added; see #12 & more\r\n"
    assert fingerprint(body) == fingerprint(same)
    assert fingerprint(body) != fingerprint(body.replace("added;", "added by hand;"))


_NAMES = ["title", "files", "key-commits", "hints-bugs"]
_people = st.text(st.characters(blacklist_categories=("Cs",)), max_size=40).filter(
    lambda t: "harvester:" not in t
)
_bodies = st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=30), max_size=3)


def _document(people: list[str], bodies: list[list[str]]) -> str:
    lines = []
    for index, name in enumerate(_NAMES):
        lines.append(people[index] + "\n")
        body = "".join(line.replace("\r", " ").replace("\n", " ") + "\n" for line in bodies[index])
        lines.append(f"<!-- harvester:begin {name} -->\n{body}<!-- harvester:end {name} -->\n")
    return stamp("".join(lines) + people[-1])


@given(
    people=st.lists(_people, min_size=5, max_size=5),
    old=st.lists(_bodies, min_size=4, max_size=4),
    new=st.lists(_bodies, min_size=4, max_size=4),
)
def test_merge_keeps_people_text_and_takes_fresh_parts(
    people: list[str], old: list[list[str]], new: list[list[str]]
) -> None:
    existing = _document(people, old)
    fresh = _document([""] * 5, new)
    result = merge(existing, fresh)
    assert _people_text(result.text) == _people_text(existing)
    assert _parts(result.text) == _parts(fresh)
    assert result.kept == () and result.missing == ()
    assert merge(result.text, fresh).text == result.text
