"""The benchmark itself: it prints whether each target is met, and it times wxr2db, not the disk."""

from __future__ import annotations

import re
import sys
from pathlib import Path
from urllib.parse import unquote

import pytest

from benchmarks.content import slugify
from benchmarks.peers import Peer, make_no_wait_copy, peers_for, report, run_peer
from benchmarks.run import TRASH, Result, best_of, clear_outputs, empty_trash, main, measure, set_aside, targets


def result(step: str, seconds: float, pss_mb: float = 50.0) -> Result:
    return Result(step, seconds, int(pss_mb * 1024 * 1.5), 0, "", "", peak_pss_kb=int(pss_mb * 1024))


def test_targets_say_met_or_not_from_the_ratios_of_the_same_run() -> None:
    text = targets([result("bare scan", 2.0), result("import", 6.0, 120.0), result("markdown", 16.0, 160.0)])
    assert text.splitlines() == [
        "targets:",
        "  import <= 3.5x scan             3.00x  met",
        "  import <= 150 MB (PSS)       120.0 MB  met",
        "  markdown <= 8.0x scan           8.00x  met",
        "  markdown <= 150 MB (PSS)     160.0 MB  NOT met",
    ]
    slow = targets([result("bare scan", 1.0), result("import", 3.6, 151.0)])
    assert slow.count("NOT met") == 2


def test_targets_are_left_out_without_a_scan_to_compare_with() -> None:
    failed_scan = Result("bare scan", 0.0, 0, 1, "", "boom")
    assert targets([failed_scan, result("import", 3.0)]) == ""


def test_an_earlier_output_is_set_aside_not_deleted_until_the_end(tmp_path: Path) -> None:
    tree = tmp_path / "site"
    (tree / "posts").mkdir(parents=True)
    (tree / "posts" / "a.md").write_text("x")
    db = tmp_path / "x.db"
    db.write_text("db")
    Path(f"{db}-journal").write_text("j")
    (tmp_path / "x.metadata.json").write_text("{}")
    set_aside(tree)
    set_aside(db)
    assert sorted(p.name for p in tmp_path.iterdir()) == [TRASH]
    kept = sorted(p.name.split(".")[0] for p in (tmp_path / TRASH).iterdir())
    assert kept == ["site", "x", "x", "x"]
    empty_trash(tmp_path)
    assert not (tmp_path / TRASH).exists()


def test_clearing_a_database_takes_its_journal_and_datasette_metadata(tmp_path: Path) -> None:
    db = tmp_path / "profile.db"
    for name in ("profile.db", "profile.db-wal", "profile.metadata.json", "other.metadata.json"):
        (tmp_path / name).write_text("x")
    clear_outputs(db)
    assert [p.name for p in tmp_path.iterdir()] == ["other.metadata.json"]


def test_each_run_starts_without_the_last_runs_output(tmp_path: Path) -> None:
    out = tmp_path / "out.txt"
    # The command fails when its output is already there, as a second run would without set_aside.
    command = [sys.executable, "-c", "import pathlib, sys; p = pathlib.Path(sys.argv[1]); "
               "sys.exit(1 if p.exists() else p.write_text('x') and 0)", str(out)]
    assert best_of(3, "step", command, out).ok
    assert len(list((tmp_path / TRASH).iterdir())) == 2


@pytest.mark.slow
def test_a_small_run_prints_its_table_and_targets(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--sizes", "1MB", "--workdir", str(tmp_path)]) == 0
    printed = capsys.readouterr().out
    assert "bare scan" in printed and "skipped" not in printed and "CPU s" in printed
    assert "targets:" in printed and "import <= 3.5x scan" in printed and "markdown <= 8.0x scan" in printed
    assert "markdown <= 150 MB (PSS)" in printed
    assert not (tmp_path / "out" / TRASH).exists()
    assert list((tmp_path / "out").iterdir()) == []


def test_a_step_that_exits_0_without_doing_its_work_is_a_failure(tmp_path: Path,
                                                                capsys: pytest.CaptureFixture[str]) -> None:
    """A wxr2db that exits 0 and writes nothing was timed as the fastest run there is."""
    assert main(["--sizes", "1MB", "--workdir", str(tmp_path), "--wxr2db", "true"]) == 0
    printed = capsys.readouterr().out
    assert "import     skipped" in printed and "markdown   skipped" in printed
    assert "import exited 0 but did not do its work: " in printed
    assert "markdown exited 0 but did not do its work: " in printed
    assert "NOT met" not in printed and " met" not in printed  # no target judged on a run that did nothing


@pytest.mark.slow
def test_cpu_time_counts_the_processes_a_step_starts() -> None:
    """The SQL writer and the render pool are children of the command: their CPU time counts."""
    burn = "import time; end = time.process_time() + 0.3\nwhile time.process_time() < end: pass"
    parent = f"import subprocess, sys; subprocess.run([sys.executable, '-c', {burn!r}])"
    result = measure("step", [sys.executable, "-c", parent])
    assert result.ok and result.cpu_seconds >= 0.3


# ----- python -m benchmarks.peers -------------------------------------------------------------


def fake_peer(tmp_path: Path, name: str, code: str) -> Peer:
    """A converter that runs ``code`` with its output folder as sys.argv[1]."""
    target = tmp_path / name
    return Peer(name, [sys.executable, "-c", code, str(target)], target)


WRITES_TWO = ("import pathlib, sys; out = pathlib.Path(sys.argv[1]); out.mkdir()\n"
              "for name in ('a.md', 'b.md'): (out / name).write_text('x')")


def test_a_peer_that_exits_0_without_writing_is_failed_and_not_timed(tmp_path: Path) -> None:
    """wordpress-export-to-markdown 2.2.2 on a `%` it cannot decode: it prints the error, writes
    nothing, and exits 0."""
    crash = fake_peer(tmp_path, "crashes", "print('Something went wrong, execution halted early.')\n"
                      "print('URIError: URI malformed')")
    silent = fake_peer(tmp_path, "silent", "pass")
    good = fake_peer(tmp_path, "writes", WRITES_TWO)
    runs = [run_peer(good, 2), run_peer(crash, 3), run_peer(silent, 1)]
    assert [run.ok for run in runs] == [True, False, False]
    assert runs[1].failure == "its output says 'Something went wrong'" and runs[2].failure == "wrote no Markdown file"
    table = report(runs, ["pelican-import: not installed"]).splitlines()
    assert table[1].split()[:2] == ["writes", "2"] and re.search(r"\d+\.\d\d", table[1])
    for line in table[2:4]:
        assert "FAILED" in line and "not timed" in line and not re.search(r"\d+\.\d\d", line), line
    assert "    URIError: URI malformed" in table
    assert table[-1] == "skipped: pelican-import: not installed"


def test_a_peer_that_writes_files_but_reports_an_error_is_failed(tmp_path: Path) -> None:
    noisy = fake_peer(tmp_path, "noisy", WRITES_TWO + "\nprint('Done, but with 3 failed.')")
    run = run_peer(noisy, 1)
    assert run.files == 2 and not run.ok and "Done, but with" in (run.failure or "")
    failing = run_peer(fake_peer(tmp_path, "exit3", "import sys; sys.exit(3)"), 1)
    assert failing.failure == "exit 3"
    only_logs = fake_peer(tmp_path, "logs", WRITES_TWO.replace(".md", ".log"))
    assert run_peer(only_logs, 1).failure == "wrote no Markdown file"


def test_the_first_converter_is_the_one_the_others_are_compared_with(tmp_path: Path) -> None:
    runs = [run_peer(fake_peer(tmp_path, name, WRITES_TWO), 1) for name in ("wxr2db", "peer")]
    lines = report(runs, []).splitlines()
    ratios = [line.split()[4] for line in lines[1:3]]
    assert ratios[0] == "1.0" and float(ratios[1]) > 0
    assert lines[3].startswith("target: wxr2db in at most half the time of the fastest other converter (peer, ")
    slower = runs[0].result.seconds > runs[1].result.seconds / 2
    assert lines[3].endswith(" met") and ("NOT met" in lines[3]) == slower
    failed_first = [run_peer(fake_peer(tmp_path, "broken", "pass"), 1), runs[1]]
    assert report(failed_first, []).splitlines()[2].split()[4] == "-"


def test_each_run_of_a_peer_starts_in_a_fresh_folder(tmp_path: Path) -> None:
    """wordpress-export-to-markdown skips files that exist: a second run into the same folder would
    time nothing. The fake fails when its folder is already there."""
    picky = fake_peer(tmp_path, "picky", "import pathlib, sys; out = pathlib.Path(sys.argv[1])\n"
                      "sys.exit(1) if out.exists() else out.mkdir(); (out / 'a.md').write_text('x')")
    assert run_peer(picky, 3).ok


def test_the_no_wait_copy_sets_only_the_write_delay_to_zero(tmp_path: Path) -> None:
    package = tmp_path / "node_modules" / "wordpress-export-to-markdown"
    (package / "src").mkdir(parents=True)
    (package / "index.js").write_text("require('./src/settings.js');\n")
    settings = "exports.image_file_request_delay = 500;\nexports.markdown_file_write_delay = 25;\n"
    (package / "src" / "settings.js").write_text(settings)
    copy = tmp_path / "node_modules" / "no-wait"
    make_no_wait_copy(package, copy)
    assert (copy / "src" / "settings.js").read_text() == settings.replace("= 25;", "= 0;")
    assert (package / "src" / "settings.js").read_text() == settings
    (package / "src" / "settings.js").write_text("exports.other = 1;\n")
    with pytest.raises(ValueError, match="markdown_file_write_delay"):
        make_no_wait_copy(package, copy)
    assert not copy.exists()


def test_peers_not_installed_are_skipped_with_the_way_to_install_them(tmp_path: Path) -> None:
    found = peers_for(tmp_path / "x.xml", tmp_path / "empty", tmp_path / "out")
    assert all(isinstance(reason, str) for reason in found) and len(found) == 3
    assert "git archive v3.0.6" in str(found[1]) and "--install" in str(found[0])


def test_long_non_latin_slugs_are_cut_between_characters() -> None:
    """WordPress never cuts a slug inside a character's %XX escapes; a cut one stops
    wordpress-export-to-markdown with `URIError: URI malformed` (and is not what real exports hold)."""
    for title in ("한국어 " * 40, "日本語のタイトル" * 20, "café " * 60, "a" * 300):
        slug = slugify(title)
        assert len(slug) <= 190 and not slug.endswith("-")
        assert unquote(slug, errors="strict") == unquote(slug, errors="replace")
        assert re.fullmatch(r"(?:[a-z0-9-]|%[0-9a-f]{2})+", slug), slug


def test_profile_stages_count_each_sample_for_its_innermost_stage() -> None:
    """benchmarks.stages: a comment's YAML is front matter even though render_post called it, its HTML
    is html2text, and the samples of every process add up."""
    from benchmarks.stages import report, tally

    render = ('process 7:"python -m wxr2db";ProcessReader.render (wxr2db/site/pool.py:46);'
              "render_linked (wxr2db/site/render.py:79)")
    lines = [f"{render};dump_front_matter (wxr2db/site/front_matter.py:133);"
             "write_mapping (wxr2db/site/yaml_writer.py:60) 30",
             f"{render};comment_entry (wxr2db/site/render.py:92);render_body (wxr2db/content/body.py:10);"
             "HTML2Text.feed (html2text/__init__.py:140) 20",
             f"{render};pyyaml_front_matter (wxr2db/site/front_matter.py:150);"
             "_represent_str (wxr2db/site/front_matter.py:65) 5",
             f"{render};layout_front_matter (wxr2db/site/front_matter.py:229) 5",
             'process 6:"python -m wxr2db";iter_records (wxr2db/sources/wxr.py:300);save (wxr2db/sqlite/save.py:80) 50',
             "not a sample"]
    stages = tally(lines)
    assert stages == {"render: front matter YAML": 35, "render: html2text": 20, "render: front matter entries": 5,
                      "import into the throwaway database": 50}
    assert report(stages, rate=100).splitlines()[-1].split() == ["all", "1.10", "100.0%"]


def test_the_front_matter_benchmark_times_both_writers_on_the_same_entries(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.front_matter import main as front_matter_main
    from tests.helpers import FIXTURES, cli

    db = tmp_path / "site.db"
    assert cli("import", FIXTURES / "https-1.2.xml", "--db", db).exit_code == 0
    assert front_matter_main([str(db), "--rounds", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].endswith("identical: yes") and not printed[0].startswith("0 ")
    assert [line.split()[2] for line in printed[1:]] == ["PyYAML", "yaml_writer"]


@pytest.mark.slow
def test_the_startup_benchmark_times_a_writer_that_answered(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.startup import main as startup

    assert startup(["--repeat", "1"]) == 0
    printed = capsys.readouterr().out.splitlines()
    assert [line.split(" median ")[0].strip() for line in printed] == [
        "import the command line", "writer process: start to first answer"]
    medians = [re.search(r"median ([0-9.]+) s", line) for line in printed]
    assert all(found is not None and 0 < float(found.group(1)) < 30 for found in medians)


@pytest.mark.slow
def test_the_timeline_shows_a_busy_process_and_a_failed_command(capsys: pytest.CaptureFixture[str]) -> None:
    from benchmarks.timeline import main as timeline

    busy = "import time\nend = time.perf_counter() + 0.6\nwhile time.perf_counter() < end: pass"
    assert timeline(["--step", "0.2", "--", sys.executable, "-c", busy]) == 0
    printed = capsys.readouterr().out.splitlines()
    cores = [float(line.split()[2]) for line in printed[:-1]]
    assert max(cores) > 0.5 and printed[-1].startswith("wall ") and printed[-1].endswith("exit status 0")
    assert timeline(["--", sys.executable, "-c", "raise SystemExit(3)"]) == 1
    assert capsys.readouterr().out.splitlines()[-1].endswith("exit status 3")
