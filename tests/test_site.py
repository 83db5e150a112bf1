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
    assert (out / "index.html").exists() and len(list(out.glob("*_full.html"))) == 6
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


def test_every_page_opens_offline_in_a_real_browser(site):
    _, out, _ = site
    pages = sorted(out.glob("*.html"))
    if len(pages) < 13:
        pytest.fail("the site was not built: run the whole module (the previous test builds it)")
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    shots = ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        requests, failed, errors = [], [], []
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
            assert page.evaluate("document.images.length") > 0, html_page.name
            assert broken == 0, f"{html_page.name}: {broken} images not decoded"
            remote = [u for u in requests if not u.startswith(("file:", "data:"))]
            assert not remote, f"{html_page.name} requested {remote[:3]}"
            assert (
                page.locator(".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr']").count()
                == 0
            )
            page.screenshot(path=str(shots / f"{html_page.stem}.png"))
        browser.close()
    assert not failed and not errors, (failed[:3], errors[:3])
