"""Hostile text is only ever text: every page, every view, every slide and the board pack, in
Chromium, over the demo borough with a payload in every text column (tests/payload_borough.py).

One app start. An analyst uploads a file whose name, cells and unknown codes are payloads; then
every page is opened from the sidebar in the analyst, lead and board views, the address is given
payloads, the slides are stepped through and the pack is downloaded. On every page load: no link,
image, frame, script or formatting the app did not make is in the DOM, no request leaves the
app's own address, no content security policy violation is reported, and the last file's name is
shown exactly as it was named. Every payload is shown, somewhere, exactly as it was written.

To measure another checkout the same way (say main, before this test existed), set
PAYLOAD_APP_ROOT to its folder; PAYLOAD_REPORT=file.json writes what was found.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlsplit

import pytest

from tests import payload_borough as pb
from tests.live_app import (
    MENU_LINK,
    ROOT,
    SHOTS,
    click_and_wait,
    open_tab,
    other_tabs,
    require_browser,
    running_app,
    wait_until_finished,
)

pytestmark = pytest.mark.browser
require_browser()

INVISIBLE = re.compile("[\u2060\u2068\u2069]")  # word joiners and isolates the escaping adds
ADDRESS = {"ward": "[Sign in again](https://evil.example/x)",
           "agency": "![i](https://evil.example/agency.png)"}
PAGE_PARAM = ("trends", "measure", "<img src=https://evil.example/m.png>")
VIEWS = ("Analyst", "Lead", "Board")
OPEN_MS = 300  # the check details open in the browser alone, with no rerun to wait for

# Everything on the page that could be a link, an image, a frame, a script or formatting the
# app did not make: links and sources to another origin (or javascript:), any link drawn inside
# a chart, a script a payload wrote, LaTeX, and an element whose whole text is a word that only
# stands alone when a payload's markup was obeyed. (A link to the app itself may carry the
# address's own parameters, payloads included: that is the app's link, to itself.)
FOREIGN = """({tells, evil}) => {
  const out = [];
  const offsite = (value) => {
    if (!value) return false;
    try {
      const url = new URL(value, location.href);
      if (url.protocol === location.protocol && ['http:', 'https:'].includes(url.protocol))
        return url.origin !== location.origin;
      return !['data:', 'blob:', 'file:'].includes(url.protocol) || url.href.includes(evil);
    } catch (e) { return true; }
  };
  const attrs = ['href', 'xlink:href', 'src', 'srcset', 'poster', 'data', 'action',
                 'formaction', 'background'];
  for (const el of document.querySelectorAll('*')) {
    for (const name of attrs) {
      const value = el.getAttribute(name);
      if (value && !(name.endsWith('href') && value.startsWith('#')) && offsite(value))
        out.push(`${el.tagName.toLowerCase()} ${name}=${value.slice(0, 80)}`);
    }
    const style = el.getAttribute('style') || '';
    if (style.includes(evil)) out.push(`${el.tagName.toLowerCase()} style=${style.slice(0, 80)}`);
    if (el.children.length === 0 && tells.includes(el.textContent.trim()))
      out.push(`<${el.tagName.toLowerCase()}> ${el.textContent.trim()}`);
  }
  for (const a of document.querySelectorAll('svg a')) out.push(`chart link ${a.textContent}`);
  for (const s of document.querySelectorAll('script'))
    if (/^\\s*alert\\(/.test(s.textContent)) out.push('script ' + s.textContent.slice(0, 60));
  if (document.querySelector('.katex')) out.push('LaTeX from text');
  if (document.querySelector('[data-testid=stException]')) out.push('an error box');
  for (const f of document.querySelectorAll('iframe, embed, object'))
    out.push(`${f.tagName.toLowerCase()} ${f.getAttribute('src') || f.getAttribute('data') || ''}`);
  return out;
}"""
TEXT = """() => document.body.innerText + '\\n' +
  [...document.querySelectorAll('svg text')].map(t => t.textContent).join('\\n')"""


@dataclass
class Audit:
    """What the browser showed: findings per page load, and which payloads were seen whole."""

    base: str
    loads: int = 0
    findings: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    violations: list[str] = field(default_factory=list)
    seen: set[str] = field(default_factory=set)
    wanted: dict[str, str] = field(default_factory=dict)

    def watch(self, page) -> None:
        """Record every request and every content security policy violation of the page."""
        page.on("request", lambda r: self.requests.append(r.url))
        page.on("websocket", lambda w: self.requests.append(w.url))
        page.on("console", lambda m: self.violations.append(m.text[:200])
                if "Content Security Policy" in m.text else None)

    def outside_requests(self) -> list[str]:
        host = urlsplit(self.base).netloc
        return sorted({u for u in self.requests  # file: is the pack, opened by the test
                       if urlsplit(u).scheme not in ("data", "blob", "file")
                       and urlsplit(u).netloc != host})

    def check(self, page, where: str, *, banner: bool = True) -> str:
        """Look at the page as loaded now; returns its text as a reader sees it."""
        self.loads += 1
        page.wait_for_function(
            "() => [...document.querySelectorAll('[data-testid=stPlotlyChart]')].every("
            "c => c.querySelector('svg.main-svg'))", timeout=60_000)
        self.findings += [f"{where}: {f}" for f in page.evaluate(
            FOREIGN, {"tells": list(pb.TELLS), "evil": pb.EVIL})]
        text = INVISIBLE.sub("", page.evaluate(TEXT))
        self.seen |= {key for key, value in self.wanted.items() if value in text}
        if banner and pb.UPLOAD_NAME not in text:
            self.findings.append(f"{where}: the last file's name is not shown as it was named")
        return text


def open_nav(page, label: str) -> None:
    """Click a page in the sidebar, like a person."""
    link = page.locator(MENU_LINK).filter(
        has=page.get_by_text(label, exact=True))
    href = link.get_attribute("href")
    click_and_wait(page, link)
    page.wait_for_url(lambda url: url.split("?")[0].endswith(href.split("?")[0]))


def choose_view(page, view: str) -> None:
    click_and_wait(page, page.locator('[data-testid="stSidebar"] [role="radiogroup"]').get_by_text(
        view, exact=True))


def nav_labels(page) -> list[str]:
    links = page.locator(MENU_LINK)
    return [links.nth(i).inner_text().strip().splitlines()[-1] for i in range(links.count())]


def upload_payload_file(page, audit: Audit) -> None:
    """The analyst's upload: check the file, look at the summary, load it."""
    page.goto(audit.base + "/data?view=analyst")
    dropzone = '[data-testid="stFileUploaderDropzoneInput"]'
    page.wait_for_selector(dropzone, state="attached", timeout=240_000)
    wait_until_finished(page)
    page.locator(dropzone).set_input_files({"name": pb.UPLOAD_NAME, "mimeType": "text/csv",
                                            "buffer": pb.upload_file()})
    page.get_by_text("Ready to load:").wait_for(timeout=240_000)
    wait_until_finished(page)
    for _ in range(2):  # open every check detail (problems, codes, preview), nested ones too
        page.evaluate("() => document.querySelectorAll('[data-testid=stMain] details:not([open])"
                      " > summary').forEach(s => s.click())")
        page.wait_for_timeout(OPEN_MS)
    audit.check(page, "data: file checked", banner=False)
    page.screenshot(path=str(SHOTS / "payload-data-checked.png"), full_page=True)
    name = page.get_by_label("Your name or initials (recorded with every load and rollback)")
    name.fill(pb.WHO)
    name.press("Enter")
    load = page.get_by_role("button", name=re.compile(r"^Load 1 file$"))
    load.and_(page.locator(":enabled")).wait_for(timeout=240_000)
    load.click()
    page.get_by_text("Every page now shows the new data").wait_for(timeout=240_000)
    wait_until_finished(page)


def every_page_in_every_view(page, audit: Audit, tmp: Path) -> Path:
    """Every page the sidebar lists, in each view; returns the lead's ranked places as CSV."""
    visited = 0
    for view in VIEWS:
        choose_view(page, view)
        for label in nav_labels(page):
            visited += 1
            open_nav(page, label)
            audit.check(page, f"{view.lower()}: {label}")
            if view == "Lead" and label in ("Overview", "Where to intervene", "Interventions"):
                slug = re.sub(r"[^a-z]+", "-", label.lower())
                page.screenshot(path=str(SHOTS / f"payload-lead-{slug}.png"), full_page=True)
            if view == "Lead" and label == "Where to intervene":
                csv = download(page, "Download the ranked list (CSV)", tmp)
            for tab in other_tabs(page):  # a page in sections: every section
                click_and_wait(page, open_tab(page, tab))
                audit.check(page, f"{view.lower()}: {label}, {tab}")
    assert visited, "the sidebar listed no pages"
    return csv


def the_address(page, audit: Audit) -> None:
    """Payloads in the address: the filters' and a page's own settings."""
    page.goto(audit.base + "/?" + "&".join(f"{k}={quote(v)}" for k, v in ADDRESS.items()))
    wait_until_finished(page)
    audit.check(page, "address: filters")
    name, param, value = PAGE_PARAM
    page.goto(f"{audit.base}/{name}?{param}={quote(value)}")
    wait_until_finished(page)
    audit.check(page, "address: page setting")


def every_slide(page, audit: Audit) -> None:
    click_and_wait(page, page.get_by_role("link", name="Present"))
    number = 1
    while True:
        audit.check(page, f"slide {number}", banner=False)
        page.screenshot(path=str(SHOTS / f"payload-slide-{number}.png"))
        following = page.get_by_role("button", name="Next", exact=True)
        if following.is_disabled():
            break
        click_and_wait(page, following)
        number += 1
        page.wait_for_url(re.compile(f"slide={number}"))
        page.get_by_text(f"Slide {number} of").wait_for()
    click_and_wait(page, page.get_by_role("button", name="Leave", exact=True))


def download(page, button: str, tmp: Path) -> Path:
    with page.expect_download(timeout=240_000) as got:
        page.get_by_role("button", name=button, exact=True).click()
    path = tmp / got.value.suggested_filename.replace("/", "-")
    got.value.save_as(path)
    return path


def the_board_pack(page, audit: Audit, tmp: Path) -> Path:
    """The HTML pack downloaded from a page's Board pack button and opened offline. (The PDF is
    Chromium's print of the same HTML: tests/board/test_boardpack.py.)"""
    page.get_by_role("button", name="Board pack", exact=True).click()
    page.get_by_role("button", name="Make the board pack", exact=True).click()
    html = download(page, "Board pack (HTML)", tmp)
    page.keyboard.press("Escape")
    pack = page.context.new_page()
    audit.watch(pack)
    pack.goto(html.as_uri())
    pack.wait_for_function("() => document.querySelectorAll('.js-plotly-plot').length > 0 && "
                           "[...document.querySelectorAll('.js-plotly-plot')].every("
                           "c => c.querySelector('svg.main-svg'))", timeout=60_000)
    audit.findings += [f"pack: {f}" for f in pack.evaluate(
        FOREIGN, {"tells": list(pb.TELLS), "evil": pb.EVIL})]
    audit.loads += 1
    text = INVISIBLE.sub("", pack.evaluate(TEXT))
    audit.seen |= {key for key, value in audit.wanted.items() if value in text}
    pack.screenshot(path=str(SHOTS / "payload-pack.png"))
    pack.close()
    return html


@pytest.fixture(scope="module")
def payload_app(tmp_path_factory):
    work = tmp_path_factory.mktemp("payload-app")
    pb.build(work / "app.duckdb").close()
    with running_app(work / "app.duckdb", work / "streamlit.log",
                     root=Path(os.environ.get("PAYLOAD_APP_ROOT", ROOT))) as url:
        yield url


def test_text_from_files_and_the_address_is_only_ever_text(payload_app, browser, tmp_path):
    SHOTS.mkdir(parents=True, exist_ok=True)
    audit = Audit(payload_app, wanted={**pb.PAYLOADS, "file": pb.UPLOAD_NAME,
                                       **{f"address {k}": v for k, v in ADDRESS.items()}})
    context = browser.new_context(viewport={"width": 1400, "height": 1600}, accept_downloads=True)
    page = context.new_page()
    audit.watch(page)
    page.goto(payload_app + "/?view=analyst")  # the entry page first (see test_browser_data)
    wait_until_finished(page, timeout_s=240)
    upload_payload_file(page, audit)
    csv = every_page_in_every_view(page, audit, tmp_path)
    the_address(page, audit)
    html = the_board_pack(page, audit, tmp_path)
    every_slide(page, audit)
    context.close()

    print(f"\n{audit.loads} page loads checked; {len(audit.findings)} findings; "
          f"{len(audit.outside_requests())} outside requests; {len(audit.violations)} policy "
          f"violations; payloads seen whole: {len(audit.seen)} of {len(audit.wanted)}")
    if os.environ.get("PAYLOAD_REPORT"):
        import json
        Path(os.environ["PAYLOAD_REPORT"]).write_text(json.dumps({
            "loads": audit.loads, "findings": audit.findings,
            "outside": audit.outside_requests(), "violations": audit.violations,
            "unseen": sorted(set(audit.wanted) - audit.seen)}, indent=1))
    assert audit.findings == []
    assert audit.outside_requests() == []
    assert audit.violations == []
    assert set(audit.wanted) - audit.seen == set(), "payloads never shown exactly as written"
    # The packs hold the payloads as text; the spreadsheet gets no formula.
    page_html = html.read_text(encoding="utf-8")
    assert "<script>alert" not in page_html and "<img src=https://evil" not in page_html
    assert "Content-Security-Policy" in page_html
    cells = csv.read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(" in cells and "\n=HYPERLINK" not in cells and ",=HYPERLINK" not in cells
