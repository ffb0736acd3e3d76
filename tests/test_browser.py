"""The rendered pages in headless Chromium (Playwright driving Debian's /usr/bin/chromium).

No console error, no request that leaves the machine (only file:// URLs), the failing cell of a known
bad report marked and linked to its finding, and Chinese text drawn with a CJK font (the platform
fonts Chromium used for the heading, and a heading that draws pixels where a transparent one does not).

Skips when Chromium or Playwright is absent, unless NIANBAO_REQUIRE_BROWSER=1 (CI), then it fails.
"""

from __future__ import annotations

import os
import re
import shutil

import pytest
from test_reports import BAD, build_site  # noqa: E402  (tests/ is on sys.path under pytest)

from pipeline.reports.inputs import group_path, unit_path

pytestmark = pytest.mark.browser

ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
CJK_FONT = re.compile(
    r"CJK|Han ?(Sans|Serif)|Hei|Song|Ming|Kai|WenQuanYi|Droid Sans Fallback|Noto (Sans|Serif) (SC|TC)", re.I
)


def _need(condition: bool, reason: str) -> None:
    if condition:
        return
    if os.environ.get("NIANBAO_REQUIRE_BROWSER") == "1":
        pytest.fail(f"NIANBAO_REQUIRE_BROWSER=1 but {reason}")
    pytest.skip(
        f"{reason} (install Debian's chromium and fonts-noto-cjk; set NIANBAO_REQUIRE_BROWSER=1 to make this a failure)"
    )


@pytest.fixture(scope="module")
def chromium():
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    _need(exe is not None, "chromium is not on PATH")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _need(False, "the playwright package is not installed")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=exe, args=ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    return build_site(tmp_path_factory.mktemp("browser_site"))


def _open(browser, url: str, console: list, requests: list):
    ctx = browser.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")
    ctx.on("request", lambda r: requests.append(r.url))
    page = ctx.new_page()
    page.on("console", lambda m: console.append(f"{m.type}: {m.text}") if m.type in ("error", "warning") else None)
    page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
    page.goto(url, wait_until="load")
    page.evaluate("document.fonts.ready.then(() => true)")
    return ctx, page


def test_pages_in_chromium(chromium, site, tmp_path):
    _db, pages, _ = site
    console: list[str] = []
    requests: list[str] = []

    ctx, page = _open(chromium, (pages / "index.html").as_uri(), console, requests)
    assert "检查与对比" in page.title()
    link = page.locator(f'a[href="{unit_path(BAD, 2024)}"]')
    assert link.count() == 1
    link.click()
    page.wait_for_load_state("load")
    assert page.url.endswith(unit_path(BAD, 2024))

    # the failing cell: class, a red marker showing the side, linked to the numbered finding
    cell = page.locator('td[data-cell="T4/review.total"]')
    assert "fail" in (cell.get_attribute("class") or "").split()
    marker = cell.locator("a.mk-fail")
    assert marker.count() == 1 and marker.inner_text().strip().endswith("左")
    assert marker.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(198, 40, 40)"
    bg = cell.evaluate("e => getComputedStyle(e).backgroundColor")
    assert bg != "rgba(0, 0, 0, 0)" and bg != "rgb(255, 255, 255)"
    target = marker.get_attribute("href")
    marker.click()
    assert page.url.endswith(target)
    finding = page.locator(target)
    assert finding.is_visible() and "总计（5）不等于" in finding.inner_text()
    assert page.locator('td[data-cell="T4/review.upheld"] a.mk-fail').inner_text().strip().endswith("右")
    # blank, "/" and missing cells look different from a number
    empty = page.locator('td[data-sem="EMPTY"]').first.evaluate("e => getComputedStyle(e).backgroundImage")
    na = page.locator('td[data-sem="NA"]').first.evaluate("e => getComputedStyle(e).backgroundColor")
    num = page.locator('td[data-sem="NUMERIC"]').first.evaluate("e => getComputedStyle(e).backgroundColor")
    assert "gradient" in empty and na != num

    shot = tmp_path / "unit.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 20_000

    # Chinese text is drawn with a CJK font: the heading has width, draws pixels a transparent copy does
    # not, and Chromium reports a CJK platform font for its glyphs
    h1 = page.locator("h1")
    width = h1.evaluate(
        "e => { const r = document.createRange(); r.selectNodeContents(e.firstChild); "
        "return r.getBoundingClientRect().width; }"
    )
    assert width > 100
    drawn = h1.screenshot(path=str(tmp_path / "h1.png"))
    h1.evaluate(
        "e => { e.style.color = 'transparent'; e.querySelectorAll('*').forEach(c => c.style.color = 'transparent'); }"
    )
    blank = h1.screenshot(path=str(tmp_path / "h1_blank.png"))
    assert drawn != blank, "the Chinese heading drew nothing"
    ctx.close()
    # (in a context of its own: enabling the CSS domain of the DevTools protocol makes the inspector
    # log "Unsafe attempt to load URL <this page>" on file:// pages, which is not the page's doing)
    unit_url = (pages / unit_path(BAD, 2024)).as_uri()
    inspector_console: list[str] = []
    ctx, page = _open(chromium, unit_url, inspector_console, requests)
    cdp = ctx.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "h1"})["nodeId"]
    fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
    cjk = [f for f in fonts if CJK_FONT.search(f["familyName"]) and f["glyphCount"] > 0]
    assert cjk, f"the heading was drawn without a CJK font: {fonts}"
    ctx.close()
    assert all(m.startswith(f"error: Unsafe attempt to load URL {unit_url}") for m in inspector_console), (
        inspector_console
    )

    # a banner page and the league page with their charts
    for rel in (group_path("statutory", "152921", 2024), group_path("managing", "1529", 2024)):
        ctx, page = _open(chromium, (pages / rel).as_uri(), console, requests)
        assert page.locator("svg.chart").count() >= 2
        assert page.locator("table.t3 td[data-cell]").count() == 175
        page.screenshot(path=str(tmp_path / (rel.replace("/", "_") + ".png")), full_page=True)
        ctx.close()

    assert console == [], console
    assert requests, "no request recorded"
    outside = [u for u in requests if not u.startswith("file://")]
    assert outside == [], outside


@pytest.fixture(scope="module")
def full_run(tmp_path_factory):
    """A whole `nianbao run` on a small inbox: pages, workbook and Great Expectations' Data Docs."""
    from corpus import example_spec, write
    from pipeline.run import run_pipeline
    from pipeline.settings import from_env

    base = tmp_path_factory.mktemp("offline_run")
    inbox = base / "inbox"
    for i, (agency, year) in enumerate(
        [("阿拉善右旗雅布赖镇人民政府", 2024), ("阿拉善右旗雅布赖镇人民政府", 2023), ("额济纳旗东风镇人民政府", 2024)]
    ):
        p = inbox / str(year) / f"r{i}.txt"
        p.parent.mkdir(parents=True, exist_ok=True)
        write(example_spec(i + 40, agency=agency, year=year, published_on=f"{year + 1}-01-20"), p, "text")
    settings = from_env(inbox=str(inbox), out=str(base / "run"))
    ok, _ = run_pipeline(settings)
    assert ok
    return settings


def test_every_page_nianbao_writes_works_offline(chromium, full_run, tmp_path):
    """The network blocked: the pages, the Data Docs index, its validation and suite pages load with no
    failed request and no request off the machine; the Data Docs index shows its tables without jQuery."""
    settings = full_run
    docs = settings.data_docs
    urls = [(settings.pages / "index.html").as_uri(), (docs / "index.html").as_uri()]
    urls += [p.as_uri() for p in sorted((docs / "validations").rglob("*.html"))]
    urls += [p.as_uri() for p in sorted((docs / "expectations").rglob("*.html"))]
    assert len(urls) >= 4
    failed: list[str] = []
    outside: list[str] = []
    ctx = chromium.new_context(viewport={"width": 1300, "height": 900}, locale="zh-CN")

    def route(r):
        if r.request.url.startswith(("file://", "data:")):
            r.continue_()
        else:
            outside.append(r.request.url)
            r.abort()

    ctx.route("**/*", route)
    ctx.on("requestfailed", lambda r: failed.append(f"{r.url}: {r.failure}"))
    page = ctx.new_page()
    for url in urls:
        page.goto(url, wait_until="load")
        assert page.locator("body").inner_text().strip(), url
        page.screenshot(path=str(tmp_path / (Path_name(url) + ".png")), full_page=True)
        html = page.content()
        assert "file:///" not in html.replace(url, ""), url
    page.goto((docs / "index.html").as_uri(), wait_until="load")
    links = page.locator("table.offline-table a")
    assert links.count() >= 2  # the validation run and the suite, as plain links
    links.first.click()
    page.wait_for_load_state("load")
    assert "validations" in page.url or "expectations" in page.url
    ctx.close()
    assert outside == [], outside
    assert failed == [], failed


def Path_name(url: str) -> str:
    return re.sub(r"[^A-Za-z0-9]+", "_", url[-60:])
