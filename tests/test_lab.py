"""JupyterLab, the analysts' client, in a real browser: a headless JupyterLab server over a copy of the
notebooks, Debian's chromium (driven by playwright) opens one notebook, clears its committed outputs and
runs every cell through the Run menu, and the notebook must come back without an error or a warning on
stderr and with its figures drawn.

nbval and papermill execute the notebooks without the front end; this is the path an analyst takes
(`make lab`): the kernel JupyterLab starts from the project's environment, the notebook's working folder
and relative paths (`../reports`), and the browser rendering the outputs. The test needs no network: the
server binds 127.0.0.1, the news feed, the update check and the PyPI extension manager are switched off,
and every request the page makes must go to the server.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from test_site import CHROMIUM_ARGS

ROOT = Path(__file__).resolve().parents[1]
SCREENSHOT = ROOT / "reports" / "screenshots" / "jupyterlab_run_all.png"

# The fastest notebook of the collection, timed with `jupyter nbconvert --execute` on this machine: 00 in
# 7 s (03 10 s, 05 11 s, 02 15 s). It still loads the full CDNOW master file, renders tables, Markdown
# and three figures, and writes its record into ../reports. The whole test takes about 30 s.
NOTEBOOK = "00_data_overview.ipynb"

# JupyterLab 4 renders both a stderr stream and an error (traceback) as a stderr output: checked with a
# deliberate `1/0` and a `warnings.warn`, both came out as application/vnd.jupyter.stderr. The error type
# is listed too, should a later JupyterLab give tracebacks their own type.
ERROR_OUTPUTS = (
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'], "
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
)
PROMPTS = "Array.from(document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')).map(e => e.textContent)"
# the status bar's kernel item reads "Python 3 (ipykernel) | Idle" once the kernel is connected and idle
# (the toolbar's execution indicator already says idle while the kernel is still starting)
KERNEL_IDLE = (
    "Array.from(document.querySelectorAll('.jp-StatusBar-TextItem'))"
    ".some(e => /[|] Idle$/.test(e.textContent.trim()))"
)
# done: no cell queued or running ([*]), at least one cell ran, the kernel is idle. A run stopped by an
# error is done too: the cells after the error go back to [ ] and the assertions below say which.
RUN_DONE = (
    f"(() => {{ const p = {PROMPTS};"
    f" return !p.some(t => t.includes('*')) && p.some(t => /\\d/.test(t)) && {KERNEL_IDLE}; }})()"
)
FIGURES = "Array.from(document.querySelectorAll('.jp-OutputArea-output img'))"

# The user settings of the throwaway JupyterLab: no news feed, no update check (both would fetch a page);
# every cell rendered (no windowing), so the screenshot shows the figure the test scrolled to.
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, token: str, method: str = "GET") -> int:
    request = urllib.request.Request(url, method=method, headers={"Authorization": f"token {token}"})
    with urllib.request.urlopen(request, timeout=5) as response:
        return response.status


def _descendants(pid: int) -> list[int]:
    """Every process under ``pid`` (the kernels JupyterLab started), from /proc."""
    parents = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # the process ended while we read
            continue
        parents.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [pid]
    while todo:
        children = parents.get(todo.pop(), [])
        found += children
        todo += children
    return found


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _figures_in(notebook: Path) -> int:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return sum("image/png" in o.get("data", {}) for c in cells for o in c.get("outputs", []))


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on a free port with a token, serving a copy of notebooks/ (JupyterLab writes
    checkpoints and may save the notebook it opens: the committed ones are never touched). The copy sits
    in tmp/notebooks beside an empty tmp/reports, the `../reports` the notebooks record into; their data
    (CDNOW) comes from the installed lifetimes package. Config, runtime and IPython folders are throwaway
    ones too, so neither the user's settings nor a saved workspace change what the test sees.

    Shut down in the finaliser, also after a failure: /api/shutdown (which stops the kernels), then
    SIGTERM, then SIGKILL; afterwards no process the server started may be left."""
    tmp = tmp_path_factory.mktemp("lab")
    root = tmp / "notebooks"
    shutil.copytree(ROOT / "notebooks", root, ignore=shutil.ignore_patterns(".ipynb_checkpoints"))
    (tmp / "reports").mkdir()
    config = tmp / "jupyter-config"
    for name, values in USER_SETTINGS.items():
        path = config / "lab" / "user-settings" / f"{name}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values), encoding="utf-8")
    env = dict(
        os.environ,
        JUPYTER_CONFIG_DIR=str(config),
        JUPYTER_RUNTIME_DIR=str(tmp / "jupyter-runtime"),
        IPYTHONDIR=str(tmp / "ipython"),
        TQDM_DISABLE="1",
        PYTHONHASHSEED="0",
    )
    port, token = _free_port(), os.urandom(16).hex()
    command = [
        str(Path(sys.executable).with_name("jupyter")),  # .venv/bin/jupyter under `make test`
        "lab",
        "--no-browser",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",
    ]
    if os.geteuid() == 0:  # containers run as root; JupyterLab refuses root without this
        command.append("--allow-root")
    log_path = tmp / "server.log"
    url = f"http://127.0.0.1:{port}"
    with log_path.open("w") as log:
        server = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, env=env, cwd=tmp, start_new_session=True
        )
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                pytest.fail(f"JupyterLab exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
            try:
                if _call(f"{url}/api/status", token) == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"JupyterLab did not answer in 60 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.3)
        yield {"url": url, "token": token, "root": root}
    finally:
        kernels = _descendants(server.pid)
        if server.poll() is None:
            try:
                _call(f"{url}/api/shutdown", token, method="POST")
            except OSError:
                pass
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.send_signal(signal.SIGTERM)  # the server stops its kernels on SIGTERM too
                try:
                    server.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in kernels) and time.monotonic() < deadline:
            time.sleep(0.2)
        left = [pid for pid in set(kernels) if _alive(pid)]
        for pid in left:
            os.kill(pid, signal.SIGKILL)
        assert not left, f"processes left after the JupyterLab server stopped: {left}"


def test_a_notebook_runs_all_cells_in_jupyterlab_in_a_real_browser(lab):
    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("chromium is missing: `make test` installs Debian's chromium package")
    from playwright.sync_api import sync_playwright

    notebook = lab["root"] / NOTEBOOK
    code_cells = sum(
        c["cell_type"] == "code" for c in json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    )
    figures = _figures_in(notebook)
    assert code_cells and figures, f"{NOTEBOOK} has no code cell or no figure to check"
    SCREENSHOT.parent.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        requests, failed, errors = [], [], []
        page.on("request", lambda r: requests.append(r.url))
        page.on("requestfailed", lambda r: failed.append(f"{r.url} {r.failure}"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        try:
            page.goto(f"{lab['url']}/lab/tree/{NOTEBOOK}?token={lab['token']}")
            page.wait_for_function(KERNEL_IDLE, timeout=60_000)
            page.click(".lm-MenuBar-item:has-text('Edit')")
            page.click(".lm-Menu-item[data-command='editmenu:clear-all']")  # Clear Outputs of All Cells
            assert page.evaluate(PROMPTS) == ["[ ]:"] * code_cells
            assert page.locator(".jp-OutputArea-output").count() == 0
            page.click(".lm-MenuBar-item:has-text('Run')")
            page.click(".lm-Menu-item[data-command='runmenu:run-all']")  # Run All Cells
            page.wait_for_function(RUN_DONE, timeout=120_000)
            page.wait_for_function(f"{FIGURES}.every(i => i.complete)", timeout=10_000)
            prompts = page.evaluate(PROMPTS)
            stderr = page.locator(ERROR_OUTPUTS).all_text_contents()  # innerText is empty off screen
            decoded = page.evaluate(f"{FIGURES}.filter(i => i.naturalWidth > 0).length")
            if decoded:
                page.locator(".jp-OutputArea-output img").first.scroll_into_view_if_needed()
                page.wait_for_timeout(500)  # let the panel repaint after the scroll
        finally:
            page.screenshot(path=str(SCREENSHOT))  # the end state, also of a failed run
            browser.close()
    assert not stderr, "\n---\n".join(text[:1500] for text in stderr)
    # a fresh kernel ran every code cell once, in order
    assert prompts == [f"[{i}]:" for i in range(1, code_cells + 1)], prompts
    assert decoded >= figures, f"{decoded} figures drawn, the notebook makes {figures}"
    remote = [u for u in requests if not u.startswith((lab["url"], "data:", "blob:"))]
    assert not remote, f"the page requested {remote[:3]}"
    assert not failed and not errors, (failed[:3], errors[:3])
    assert (lab["root"].parent / "reports" / f"{Path(NOTEBOOK).stem}.json").is_file()  # its ../reports
