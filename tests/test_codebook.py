"""The codebook (pipeline/codebook.toml) is the one source of the form's words.

(a) every section, row, column and group has the words the pages and messages draw from it, and the
    Table 2 blocks and the Table 3 label area it describes are the national form's;
(b) no module of the package (nor the corpus tooling) writes one of the codebook's titles or labels
    out again as a string literal;
(c) every field used in expectations/rules.toml is documented in that file's header, and nothing
    else is.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from pipeline import codebook as cbm
from pipeline.codebook import (
    codebook,
    header_label,
    labels,
    section_titles,
    t2_blocks,
    t3_label_area,
    t3_note,
    t3_org_label,
    t4_supergroup_label,
)

ROOT = Path(__file__).resolve().parents[1]
RAW = tomllib.loads((ROOT / "pipeline" / "codebook.toml").read_text(encoding="utf-8"))
TABLES = RAW["tables"]


# ------------------------------------------------------------------------------------------------
# (a) every entry has its words


def test_every_section_has_ordinal_heading_short_title_and_match_words():
    assert [s["key"] for s in RAW["sections"]] == ["overview", "proactive", "requests", "appeals", "problems", "other"]
    for s in RAW["sections"]:
        for f in ("ordinal", "heading", "short"):
            assert s.get(f), f"section {s['key']}: no {f}"
        assert s["match"], s["key"]
    assert section_titles()["requests"] == "三、收到和处理政府信息公开申请情况"
    assert section_titles("short")["requests"] == "三、依申请公开"
    assert section_titles(numbered=False)["appeals"] == "政府信息公开行政复议、行政诉讼情况"
    assert list(section_titles()) == [s["key"] for s in RAW["sections"]]


# the words each part must state itself (not fall back to its label): those the pages, the
# workbook, the messages or the terminal view use
REQUIRED = {
    ("T2", "rows"): ("label", "clause"),
    ("T2", "columns"): ("label", "narrow"),
    ("T2v2019", "rows"): ("label", "clause"),
    ("T2v2019", "columns"): ("label",),
    ("T3", "rows"): ("label", "short", "name"),
    ("T3", "columns"): ("label", "narrow"),
    ("T3", "row_groups"): ("label",),
    ("T4", "groups"): ("label", "short", "name", "narrow"),
    ("T4", "columns"): ("label", "narrow"),
}


@pytest.mark.parametrize("table,part", sorted(REQUIRED))
def test_every_row_column_and_group_has_its_labels(table, part):
    entries = TABLES[table][part]
    assert entries
    for e in entries:
        for f in REQUIRED[(table, part)]:
            assert isinstance(e.get(f), str) and e[f].strip(), f"{table} {part} {e['code']}: no {f}"
        assert e.get("match"), f"{table} {part} {e['code']}: no match words"
    codes = [e["code"] for e in entries]
    assert len(set(codes)) == len(codes), f"{table} {part}: a code twice"
    for word in ("label", "short", "name", "narrow"):
        got = labels(table, part, word)
        assert list(got) == codes
        # a word an entry does not state is its label
        assert all(got[e["code"]] == e.get(word, e["label"]) for e in entries)


def test_table_words_outside_the_rows():
    assert header_label("T2") == "信息内容"
    assert header_label("T3") == "申请人情况"
    assert t3_org_label() == "法人或其他组织"
    assert t4_supergroup_label() == "行政诉讼"
    assert "第一项加第二项之和，等于第三项加第四项之和" in t3_note()
    for t in ("T2", "T3", "T4", "T2v2019"):
        assert TABLES[t]["title"]
    with pytest.raises(ValueError, match="unknown kind of label"):
        labels("T3", "rows", "shortest")


def test_table2_blocks_are_the_clauses_of_article_20_in_order():
    blocks = t2_blocks("T2")
    assert [b.clause for b in blocks] == [
        "第二十条第（一）项",
        "第二十条第（五）项",
        "第二十条第（六）项",
        "第二十条第（八）项",
    ]
    assert [[r.code for r in b.rows] for b in blocks] == [
        ["rules", "normative_docs"],
        ["licensing"],
        ["penalties", "coercion"],
        ["fees"],
    ]
    assert [c.code for c in blocks[0].columns] == ["issued", "repealed", "in_force"]
    assert [c.label for c in blocks[3].columns] == ["本年收费金额（单位：万元）"]
    old = t2_blocks("T2v2019")
    assert [b.clause[-4:] for b in old] == ["（一）项", "（五）项", "（六）项", "（八）项", "（九）项"]
    assert [c.code for c in old[1].columns] == ["previous_items", "change", "decisions"]


def test_table3_label_area_is_the_forms():
    area = t3_label_area()
    width = TABLES["T3"]["label_area"]["width"]
    assert [code for code, _ in area] == [r["code"] for r in TABLES["T3"]["rows"]]
    # the merged group labels of the form: 三、本年度办理结果 over the 22 outcome rows, （三） over 8 ...
    spans = {c.text: (code, c.rowspan) for code, cells in area for c in cells if c.rowspan > 1}
    assert spans == {
        "三、本年度办理结果": ("granted", 22),
        "（三）不予公开": ("withheld_state_secret", 8),
        "（四）无法提供": ("unavailable_not_held", 3),
        "（五）不予处理": ("declined_petition", 5),
        "（六）其他处理": ("other_no_correction", 3),
    }
    # every grid row of the label area is covered exactly `width` columns wide
    covered = [0] * len(area)
    for i, (_code, cells) in enumerate(area):
        for c in cells:
            for r in range(i, i + c.rowspan):
                covered[r] += c.colspan
    assert covered == [width] * len(area)
    # the label cells starting on a row, read in order, are the row's label
    for (code, cells), row in zip(area, TABLES["T3"]["rows"]):
        assert "".join(c.text for c in cells) == row["label"].replace(" ", ""), code
    assert dict(area)["new"][0].colspan == 3 and dict(area)["granted"][-1].text == "（一）予以公开"


def test_row_groups_nest_inside_known_groups_and_rows_name_known_groups():
    groups = {g["code"]: g for g in TABLES["T3"]["row_groups"]}
    for g in groups.values():
        assert g.get("parent") in (None, *groups), g["code"]
    for r in TABLES["T3"]["rows"]:
        assert r.get("group") in (None, *groups), r["code"]


def test_codebook_module_keeps_no_label_table_of_its_own():
    # the short labels live in the toml only (a T3_SHORT dict was a second copy)
    assert not hasattr(cbm, "T3_SHORT")
    assert labels("T3", "rows", "short")["withheld_state_secret"] == "（三）1.国家秘密"
    assert labels("T3", "rows", "name")["withheld_state_secret"] == "不予公开·国家秘密"


# ------------------------------------------------------------------------------------------------
# (b) the same labels appear once

CJK = re.compile(r"[\u4e00-\u9fff]")


def _words() -> set[str]:
    """The codebook's form words that count: every title, heading (with and without its ordinal),
    label, short label, name, abbreviation, clause, header and note of the codebook, and every cell
    text of Table 3's label area, of four CJK characters or more. Shorter ones (规章, 总计, 其他,
    自然人, 本年增/减) are ordinary words that prose and UI text use on their own."""
    out: set[str] = set()

    def walk(o):
        if isinstance(o, dict):
            for k, v in o.items():
                if k in ("label", "heading", "title", "short", "name", "narrow", "clause", "note") and isinstance(
                    v, str
                ):
                    out.add(v)
                else:
                    walk(v)
        elif isinstance(o, list):
            for v in o:
                walk(v)

    walk(RAW["sections"])
    walk(TABLES)
    out.update(section_titles().values())
    out.update(section_titles("short").values())
    out.update(c.text for _code, cells in t3_label_area() for c in cells)
    return {_norm(w) for w in out if len(CJK.findall(w)) >= 4}


def _norm(s: str) -> str:
    return re.sub(r"\s+", "", s)  # a label broken over lines ("商业\n企业") is still the label


# (module path under the repository, word): each a justified exception
ALLOWED = {
    # The text reader's markers of a Table 2 flattened onto one line, beside their traditional forms
    # ("信息內容", "規範性文件"): match words of a reading heuristic, as the toml's `match` patterns are.
    ("pipeline/readers/text.py", "信息内容"),
    ("pipeline/readers/text.py", "规范性文件"),
}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)) and node.body:
            first = node.body[0]
            if (
                isinstance(first, ast.Expr)
                and isinstance(first.value, ast.Constant)
                and isinstance(first.value.value, str)
            ):
                ids.add(id(first.value))
    return ids


def literal_labels(source: str, words: set[str]) -> list[tuple[int, str]]:
    """(line, word) for every string literal of `source` that is, whole, one of `words` (docstrings,
    which document, are not counted)."""
    tree = ast.parse(source)
    skip = _docstrings(tree)
    hits = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip:
            s = _norm(node.value)
            if s in words:
                hits.append((node.lineno, s))
    return hits


def test_the_scan_finds_a_label_written_out_and_ignores_docstrings():
    words = _words()
    src = (
        '"""收到和处理政府信息公开申请情况"""\n'
        'TITLE = "收到和处理政府信息公开申请情况"\n'
        'HEAD = ("商业\\n企业", "三、依申请公开", "（三）不予公开")\n'
        'NOTE = f"表三 {x}收到和处理政府信息公开申请情况的说明"\n'
    )
    assert literal_labels(src, words) == [
        (2, "收到和处理政府信息公开申请情况"),
        (3, "商业企业"),
        (3, "三、依申请公开"),
        (3, "（三）不予公开"),
    ]
    assert {
        "一、总体情况",
        "不予公开·国家秘密",
        "行政诉讼（复议后起诉）",
        "本年收费金额（万元）",
        "第二十条第（八）项",
        "（一）予以公开",
        "申请人情况",
        "法人或其他组织",
    } <= words
    assert "规章" not in words and "总计" not in words


def test_no_module_writes_a_codebook_label_literally():
    words = _words()
    found = []
    for root in ("pipeline", "corpus"):
        base = ROOT / root
        if not base.is_dir():
            continue
        for path in sorted(base.rglob("*.py")):
            rel = path.relative_to(ROOT).as_posix()
            if rel == "pipeline/codebook.py":
                continue
            for line, word in literal_labels(path.read_text(encoding="utf-8"), words):
                if (rel, word) not in ALLOWED:
                    found.append(f"{rel}:{line}: {word}")
    assert not found, "codebook words written out again; read them from pipeline.codebook:\n  " + "\n  ".join(found)


def template_labels(source: str, words: set[str]) -> list[tuple[int, str]]:
    """(line, word) for every text of a Jinja template that is, whole, one of `words`: the text between
    tags and the quoted strings inside Jinja tags, split at spaces (comments are not counted)."""
    hits = []
    source = re.sub(r"\{#.*?#\}", lambda m: "\n" * m.group(0).count("\n"), source, flags=re.S)
    for n, line in enumerate(source.splitlines(), 1):
        texts = re.split(r"<[^>]*>|\{[{%].*?[}%]\}", line)
        for tag in re.findall(r"\{[{%].*?[}%]\}", line):
            texts += [a or b for a, b in re.findall(r"'([^']*)'|\"([^\"]*)\"", tag)]
        for text in texts:
            hits += [(n, w) for w in re.split(r"\s+", text) if w in words]
    return hits


def test_the_template_scan_finds_a_label_written_out():
    words = _words()
    src = (
        "{# 申请人情况 #}\n<th>申请人情况</th><th>{{ FORM.t3_org }}</th>\n"
        "{% macro m(caption='表三　收到和处理政府信息公开申请情况') %}"
    )
    assert template_labels(src, words) == [(2, "申请人情况"), (3, "收到和处理政府信息公开申请情况")]


def test_no_page_template_writes_a_codebook_label_literally():
    words = _words()
    found = [
        f"{path.relative_to(ROOT)}:{line}: {word}"
        for path in sorted((ROOT / "reports").glob("*.html"))
        for line, word in template_labels(path.read_text(encoding="utf-8"), words)
    ]
    assert not found, "codebook words written out in a template; draw them from FORM:\n  " + "\n  ".join(found)


def test_the_exceptions_are_still_needed():
    words = _words()
    for rel, word in ALLOWED:
        path = ROOT / rel
        assert word in words, f"{word}: no longer a codebook word; drop the exception"
        assert path.exists() and any(w == word for _, w in literal_labels(path.read_text(encoding="utf-8"), words)), (
            f"{rel} no longer writes {word}; drop the exception"
        )


def test_a_change_to_the_codebook_renders_the_pages_and_checks_the_reports_again(monkeypatch, tmp_path):
    # pages and findings' messages draw the codebook's words: a label edited there must not leave
    # stale pages or findings on an incremental run
    from pipeline.checks import catalogue, findings
    from pipeline.reports import render as pages

    salt, code = pages.template_salt(), findings.code_fingerprint()
    edited = tmp_path / "codebook.toml"
    text = (ROOT / "pipeline" / "codebook.toml").read_text(encoding="utf-8")
    edited.write_text(text.replace('short = "依申请公开"', 'short = "依申请公开情况"'), encoding="utf-8")
    assert edited.read_text(encoding="utf-8") != text
    monkeypatch.setattr(pages, "CODEBOOK", edited)
    monkeypatch.setattr(catalogue, "CODEBOOK", edited)
    assert pages.template_salt() != salt
    assert findings.code_fingerprint() != code


# ------------------------------------------------------------------------------------------------
# (c) the rule catalogue's header documents its fields

RULES = ROOT / "expectations" / "rules.toml"


def _documented(header: list[str], start: str, end: str | None) -> dict[str, str]:
    """{field: its description} of the header lines between `start` and `end`: a field line is
    "#   name[, name] description"; continuation lines are indented further."""
    i = next(n for n, ln in enumerate(header) if ln.startswith(start))
    out: dict[str, str] = {}
    last: list[str] = []
    for ln in header[i + 1 :]:
        if (end and ln.startswith(end)) or ln.strip() == "#":
            break
        m = re.match(r"^#   ([a-z0-9_]+(?:, [a-z0-9_]+)*)\s+(.*)$", ln)
        if m:
            last = m.group(1).split(", ")
            for f in last:
                out[f] = m.group(2)
        else:
            for f in last:
                out[f] += " " + ln.lstrip("# ").strip()
    return out


def test_every_field_of_the_rule_catalogue_is_documented_in_its_header():
    text = RULES.read_text(encoding="utf-8")
    header = []
    for ln in text.splitlines():
        if not ln.startswith("#"):
            break
        header.append(ln)
    data = tomllib.loads(text)
    fields = _documented(header, "# Fields of a [[rule]]", "# Keys of [instances]")
    used = {k for r in data["rule"] for k in r}
    assert set(fields) == used, (
        f"used but not documented: {sorted(used - set(fields))}; "
        f"documented but used by no rule: {sorted(set(fields) - used)}"
    )
    for_each = set(re.findall(r"[a-z0-9_]+", fields["for_each"]))
    assert {r["for_each"] for r in data["rule"] if "for_each" in r} <= for_each
    keys = _documented(header, "# Keys of [instances]", None)
    assert set(keys) == set(data["instances"])
    # a field the catalogue's reader reads is one the header documents
    src = (ROOT / "pipeline" / "checks" / "catalogue.py").read_text(encoding="utf-8")
    read = set(re.findall(r"""\br(?:\.get\(|\[)["']([a-z_]+)["']""", src))
    assert read <= set(fields), sorted(read - set(fields))


def test_every_rule_field_is_read():
    # needs_warehouse was documented and read by nothing; every documented field has a reader
    from pipeline.checks.catalogue import rules

    assert any(r.needs_previous for r in rules())
    assert codebook().cell_ids  # the codebook loads
