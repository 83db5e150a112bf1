"""End to end: the command line builds the whole site from a file the project has never seen, and a real
browser (Debian's chromium, driven by playwright) opens every page of it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from lifecycle_utils import data, simulate
from lifecycle_utils.__main__ import main

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """Different column names, quantity x unit price instead of an amount, returns, malformed rows."""
    folder = tmp_path_factory.mktemp("site")
    tx, _ = simulate.simulate_transactions(
        1500, start="2022-01-01", acquisition_months=12, observation_end="2023-12-31", seed=8
    )
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "client_no": tx["customer_id"],
            "order_day": tx["date"].dt.strftime("%Y-%m-%d"),
            "qty": rng.integers(1, 4, len(tx)),
        }
    )
    frame["price"] = (tx["amount"].to_numpy() / frame["qty"]).round(2)
    returns = frame.sample(20, random_state=1).assign(qty=-1)  # a returned unit on the same day
    bad = pd.DataFrame(
        {
            "client_no": ["", "X1", "X2"],
            "order_day": ["2023-01-01", "not a date", "2023-02-01"],
            "qty": [1, 1, 1],
            "price": [5.0, 5.0, "n/a"],
        }
    )
    path = folder / "orders.csv"
    pd.concat([frame, returns, bad], ignore_index=True).to_csv(path, index=False)
    out = folder / "out"
    return path, out, tx


def test_the_whole_collection_runs_on_a_file_it_has_never_seen(site, capsys):
    path, out, tx = site
    code = main(
        [
            "report",
            "--data",
            str(path),
            "--customer-col",
            "client_no",
            "--date-col",
            "order_day",
            "--quantity-col",
            "qty",
            "--unit-price-col",
            "price",
            "--out",
            str(out),
        ]
    )
    printed = capsys.readouterr().out
    assert code == 0, printed
    assert "return netted into a same-day purchase" in printed and "no customer id" in printed
    assert (out / "index.html").exists() and len(list(out.glob("[0-9][0-9]_*.html"))) == 6
    overview = json.loads((out / "00_data_overview.json").read_text())["figures"]
    clean, ledger = data.load_transactions(
        path,
        customer_col="client_no",
        date_col="order_day",
        amount_col=None,
        quantity_col="qty",
        unit_price_col="price",
        on_invalid="drop",
    )
    assert overview["customers"] == clean["customer_id"].nunique() >= tx["customer_id"].nunique() - 20
    assert overview["rows"] == len(clean) and overview["last date"] == "2023-12-31"


# Every distinct CJK character of a page, drawn on a canvas in the page's font, compared with a code point no
# font has (its .notdef box, what a missing glyph looks like): the characters that draw as that box.
MISSING_GLYPHS = """(extra) => {
  const text = document.body.innerText + (extra || "");
  const chars = [...new Set(text.match(/[\\u3400-\\u9fff\\uf900-\\ufaff]|\\u{1E900}/gu) || [])];
  const canvas = document.createElement("canvas");
  canvas.width = 64; canvas.height = 64;
  const ctx = canvas.getContext("2d", {willReadFrequently: true});
  const family = getComputedStyle(document.body).fontFamily;
  const draw = (c) => {
    ctx.clearRect(0, 0, 64, 64); ctx.font = `40px ${family}`; ctx.fillStyle = "#000";
    ctx.fillText(c, 4, 48);
    return ctx.getImageData(0, 0, 64, 64).data.join(",");
  };
  const box = draw("\\u{10FFFD}");
  return {checked: chars.length, missing: chars.filter((c) => draw(c) === box)};
}"""

# print: every table inside the printed page's width (none cut at the right edge)
CLIPPED_TABLES = """() => {
  const width = document.documentElement.clientWidth;
  return Array.from(document.querySelectorAll("article table"))
    .filter((t) => t.getBoundingClientRect().right > width + 1).length;
}"""

DESKTOP, PHONE = {"width": 1280, "height": 900}, {"width": 390, "height": 844}


def _pages(out: Path) -> list[Path]:
    return sorted(out.glob("*.html")) + sorted((out / "api").glob("*.html"))


def test_every_page_opens_offline_in_a_real_browser_at_desktop_and_phone_width(site):
    """No request leaves the machine, no script error, every image decodes, no page is wider than a phone,
    no Chinese character draws as a missing-glyph box, no notebook page shows a raw Python repr; the
    screenshots (desktop, phone, dark) and a printed PDF land in reports/screenshots."""
    _, out, _ = site
    pages = _pages(out)
    notebook_pages = [p for p in pages if p.parent == out and p.name[:2].isdigit()]
    if len(notebook_pages) < 6:
        pytest.fail("the site was not built: run the whole module (the previous test builds it)")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    report_page = out / "03_rfm_segmentation.html"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        requests, failed, errors = [], [], []
        for name, viewport in (("desktop", DESKTOP), ("phone", PHONE)):
            page = browser.new_page(viewport=viewport)
            page.on("request", lambda r: requests.append(r.url))
            page.on("requestfailed", lambda r: failed.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            for html_page in pages:
                requests.clear()
                page.goto(html_page.as_uri())
                page.wait_for_load_state("load")
                broken = page.evaluate(
                    "Array.from(document.images).filter(i => !(i.complete && i.naturalWidth > 0)).length"
                )
                assert broken == 0, f"{html_page.name}: {broken} images not decoded"
                remote = [u for u in requests if not u.startswith(("file:", "data:"))]
                assert not remote, f"{html_page.name} requested {remote[:3]}"
                wide = page.evaluate("document.documentElement.scrollWidth")
                assert wide <= viewport["width"] + 1, f"{html_page.name} is {wide}px wide at {name} width"
                if html_page in notebook_pages:
                    assert page.evaluate("document.images.length") > 0, html_page.name
                    assert page.locator(".cell_output .stderr").count() == 0, html_page.name
                    raw = page.locator(".cell_output .output.text_plain").count()
                    assert raw == 0, f"{html_page.name}: {raw} raw Python outputs"
                glyphs = page.evaluate(MISSING_GLYPHS, "")
                assert not glyphs["missing"], f"{html_page.name}: no glyph for {glyphs['missing'][:10]}"
            for shown in (out / "index.html", report_page):
                page.goto(shown.as_uri())
                page.screenshot(path=str(shots / f"{shown.stem}_{name}.png"))
            page.close()
        page = browser.new_page(viewport=DESKTOP, color_scheme="dark")
        page.goto((out / "index.html").as_uri())
        page.screenshot(path=str(shots / "index_dark.png"))
        # the check can fail: a character no installed font has (Adlam) is reported missing
        probe = page.evaluate(MISSING_GLYPHS, "\U0001e900")
        assert "\U0001e900" in probe["missing"] and probe["checked"] >= 1
        page.close()
        page = browser.new_page(viewport={"width": 794, "height": 1123})
        page.emulate_media(media="print")
        for html_page in notebook_pages + [out / "index.html"]:
            page.goto(html_page.as_uri())
            assert page.evaluate(CLIPPED_TABLES) == 0, f"{html_page.name}: a table is cut when printed"
        page.goto(report_page.as_uri())
        page.pdf(path=str(shots / f"{report_page.stem}.pdf"), format="A4")
        browser.close()
    assert not failed and not errors, (failed[:3], errors[:3])


def test_the_site_has_navigation_search_and_the_api_reference(site):
    """The generator's parts a reader uses: a sidebar listing every notebook, contents and previous/next
    on a report page, a search page with its index, the viewport tag, and the API reference of every
    public module, from the docstrings."""
    import lifecycle_utils

    _, out, _ = site
    page = (out / "03_rfm_segmentation.html").read_text(encoding="utf-8")
    for stem in ("00_data_overview", "01_stage_definition", "05_strategy_comparison"):
        assert f'href="{stem}.html"' in page
    assert 'class="toc-tree"' in page and 'class="prev-page"' in page and 'class="next-page"' in page
    index = (out / "index.html").read_text(encoding="utf-8")
    assert '<meta name="viewport"' in index
    assert "orders.csv, 2022-01-01 to 2023-12-31" in index and str(out.parent) not in index  # no build path
    assert (out / "search.html").exists() and (out / "searchindex.js").exists()
    documented = {p.stem for p in (out / "api").glob("*.html")}
    assert {f"lifecycle_utils.{m}" for m in lifecycle_utils.__all__} <= documented
    clv = (out / "api" / "lifecycle_utils.clv.value.html").read_text(encoding="utf-8")
    assert 'id="lifecycle_utils.clv.value.headline_figures"' in clv
    assert not (out / "site-warnings.txt").exists(), (out / "site-warnings.txt").read_text()
