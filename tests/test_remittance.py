"""Contract 1 over hundreds of generated remittance advices, and the command's behaviour."""

import json
import subprocess
import sys
from collections import Counter

import pytest

from inbox_parsers.remittance import parse_remittance, to_contract
from tests.generators.remittances import LAYOUTS, write_remittance

FIELDS = ["payer", "payment_reference", "payment_date", "payment_method", "currency", "total", "lines"]


def _parsed(path) -> dict:
    got = to_contract(parse_remittance(path))
    got["lines"] = [{k: v for k, v in line.items() if k != "reason"} for line in got["lines"]]
    return got


def _wrong_fields(path, truth) -> list[str]:
    got = _parsed(path)
    return [name for name in FIELDS if got.get(name) != truth[name]]


def test_corpus_parses_exactly(remittance_corpus):
    """At least 99% of generated documents parse exactly (every header field, every line)."""
    exact, per_layout, failures = Counter(), Counter(), []
    for path, truth, layout in remittance_corpus:
        per_layout[layout] += 1
        wrong = _wrong_fields(path, truth)
        if wrong:
            failures.append(f"{path.name}: {wrong}")
        else:
            exact[layout] += 1
    report = ", ".join(f"{layout} {exact[layout]}/{per_layout[layout]}" for layout in LAYOUTS)
    print(f"\nremittance accuracy per layout: {report}")
    share = sum(exact.values()) / len(remittance_corpus)
    assert len(remittance_corpus) >= 300
    assert share >= 0.99, f"{share:.1%} exact; failures: {failures}"


@pytest.mark.parametrize("layout", LAYOUTS)
def test_each_layout_exact(layout, tmp_path):
    """A few documents of every layout, field by field."""
    for seed in range(3):
        path = tmp_path / f"{layout}_{seed}.pdf"
        truth = write_remittance(path, 900 + seed * 17, layout)
        got = _parsed(path)
        for name in FIELDS:
            assert got[name] == truth[name], f"{path.name} {name}"
        assert got["warnings"] == []


def test_lines_that_do_not_add_up_are_warned(tmp_path, monkeypatch):
    """A total that differs from the lines is kept as printed, with a warning."""
    import tests.generators.remittances as generator

    original = generator.make_truth

    def short_total(rng, layout):
        truth, style = original(rng, layout)
        truth["lines"][0]["paid"] += 1  # printed paid no longer equals gross - discount - deduction
        return truth, style

    monkeypatch.setattr(generator, "make_truth", short_total)
    path = tmp_path / "off.pdf"
    truth = write_remittance(path, 4, "aligned_text")
    got = to_contract(parse_remittance(path))
    assert got["total"] == truth["total"]
    assert got["lines"][0]["paid"] == truth["lines"][0]["paid"]
    assert any("add up" in w for w in got["warnings"])
    assert any(truth["lines"][0]["invoice"] in w for w in got["warnings"])



def _run(*args):
    code = "from bots.cli.main import main; main()"
    return subprocess.run([sys.executable, "-c", code, "parse-remittance", *map(str, args)],
                          capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("kind", ["not_pdf", "truncated", "encrypted", "image_only"])
def test_bad_input_gives_error_json_and_exit_2(bad_pdfs, kind):
    result = _run(bad_pdfs[kind], "--json")
    assert result.returncode == 2, result.stderr
    error = json.loads(result.stdout)
    assert set(error) == {"error", "file"}
    assert error["file"] == str(bad_pdfs[kind])
    assert "Traceback" not in result.stderr
    expected = {"not_pdf": "not a PDF", "truncated": "damaged", "encrypted": "encrypted",
                "image_only": "no text layer"}[kind]
    assert expected in error["error"]


def test_missing_file_without_json_prints_readable_error(tmp_path):
    result = _run(tmp_path / "nowhere.pdf")
    assert result.returncode == 2
    assert "file not found" in result.stderr
    assert result.stdout == ""


def test_one_file_json(tmp_path):
    path = tmp_path / "one.pdf"
    truth = write_remittance(path, 31, "multipage_forward")
    result = _run(path, "--json")
    assert result.returncode == 0, result.stderr
    got = json.loads(result.stdout)
    assert {k: got[k] for k in FIELDS} == {k: truth[k] for k in FIELDS}
    assert got["warnings"] == []


def test_folder_prints_one_object_per_line_and_fails_on_bad_file(tmp_path, bad_pdfs):
    truths = {}
    for seed, layout in enumerate(["cheque_stub", "sentence", "boxed_fields"]):
        path = tmp_path / f"{seed}.pdf"
        truths[str(path)] = write_remittance(path, 60 + seed, layout)
    (tmp_path / "3.pdf").write_bytes(bad_pdfs["truncated"].read_bytes())
    result = _run(tmp_path, "--json")
    assert result.returncode == 2
    objects = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(objects) == 4
    for obj in objects[:3]:
        assert obj["total"] == truths[obj["file"]]["total"]
        lines = [{k: v for k, v in line.items() if k != "reason"} for line in obj["lines"]]
        assert lines == truths[obj["file"]]["lines"]
    assert objects[3]["file"].endswith("3.pdf") and "error" in objects[3]


def test_several_files_readable_summary(tmp_path):
    paths = []
    for seed in range(2):
        path = tmp_path / f"{seed}.pdf"
        write_remittance(path, 70 + seed, "ruled_grid")
        paths.append(path)
    result = _run(*paths)
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("line(s)") == 2
