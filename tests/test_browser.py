"""The HTML graph and the web app in headless Chromium: drawn, filterable, switchable, inert to
XSS, and without JavaScript errors. Screenshots go to tests/artifacts/ (git-ignored)."""

from __future__ import annotations

import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from envgraph.network import to_networkx
from envgraph.render import render_html
from view_fixtures import ENT, XSS_IRI, XSS_SCRIPT, sample_dataset, synthetic_graph

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
                       reason="needs Debian's chromium and chromium-driver "
                              "(/usr/bin/chromium, /usr/bin/chromedriver): "
                              "apt-get install -y chromium chromium-driver"),
]


@pytest.fixture(scope="module")
def driver() -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tempfile.mkdtemp(prefix="envgraph-chromium-")
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--window-size=1400,900", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    browser = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    browser.set_page_load_timeout(60)
    ARTIFACTS.mkdir(exist_ok=True)
    yield browser
    browser.quit()


def open_page(driver: Any, url: str, *, graph: bool = True) -> None:
    driver.get_log("browser")  # drop what earlier pages logged
    driver.get(url)
    if not graph:
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if driver.execute_script("return !!(window.envgraph && window.envgraph.isReady())"):
            return
        time.sleep(0.1)
    raise AssertionError(f"the graph at {url} never became ready; log: {driver.get_log('browser')}")


def js_errors(driver: Any) -> list[dict[str, Any]]:
    """Console entries at error level (script errors, CSP violations, failed loads)."""
    return [e for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def drawn(driver: Any) -> int:
    return int(driver.execute_script("return window.envgraph.network.body.nodeIndices.length"))


def node_id(driver: Any, iri: str) -> str:
    return str(driver.execute_script(
        "return window.envgraph.data.nodes.find(n => n.iri === arguments[0]).id", iri))


def shot(driver: Any, name: str) -> Path:
    path = ARTIFACTS / name
    driver.save_screenshot(str(path))
    assert path.stat().st_size > 10_000
    return path


@pytest.fixture(scope="module")
def sample_page(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_html(to_networkx(sample_dataset()), tmp_path_factory.mktemp("b") / "sample.html")


def test_graph_draws_every_node_without_errors(driver: Any, sample_page: Path) -> None:
    open_page(driver, sample_page.as_uri())
    assert drawn(driver) == 10
    assert driver.execute_script("return window.envgraph.network.body.edgeIndices.length") == 12
    legend = driver.find_element("id", "type-filter").text
    assert "Organisation" in legend and "Country" in legend
    assert driver.execute_script("return window.__xss") is None
    shot(driver, "graph-sample.png")
    assert js_errors(driver) == []


def test_xss_labels_stay_text_in_tooltip_and_panel(driver: Any, sample_page: Path) -> None:
    open_page(driver, sample_page.as_uri())
    xss = node_id(driver, XSS_IRI)
    driver.execute_script("window.envgraph.showNode(arguments[0])", xss)
    panel = driver.find_element("id", "panel")
    assert XSS_SCRIPT in panel.text  # shown literally
    assert panel.find_elements("css selector", "script, img, svg") == []
    # the hover tooltip is an element built with textContent
    tooltip = driver.execute_script(
        "return window.envgraph.nodes.get(arguments[0]).title.textContent", xss)
    assert XSS_SCRIPT in tooltip
    for lang in ("ru", "kk", "az"):
        driver.execute_script("window.envgraph.setLanguage(arguments[0])", lang)
    fund = driver.execute_script(
        "return window.envgraph.data.edges.find(e => e.evidence.some(ev => ev[1].includes('__xss=5'))).id")
    driver.execute_script("window.envgraph.showEdge(arguments[0])", fund)
    assert "</script><script>window.__xss=5</script>" in panel.text
    time.sleep(0.3)
    assert driver.execute_script("return window.__xss") is None
    assert js_errors(driver) == []


def test_type_and_relation_filters_change_what_is_drawn(driver: Any, sample_page: Path) -> None:
    open_page(driver, sample_page.as_uri())
    box = driver.find_element("css selector", 'input[data-kind="type"][value="Organisation"]')
    box.click()  # untick Organisation in the legend
    assert drawn(driver) == 7
    box.click()
    assert drawn(driver) == 10
    driver.execute_script("window.envgraph.setFilter('type', ['Country', 'Initiative'])")
    assert drawn(driver) == 3
    driver.execute_script("window.envgraph.setFilter('type', window.envgraph.data.types.map(t => t.name))")
    driver.execute_script("window.envgraph.setFilter('relation', ['funds'])")
    assert drawn(driver) == 3  # two funders and the initiative
    assert driver.execute_script("return window.envgraph.network.body.edgeIndices.length") == 2
    assert "Showing 3 of 10 actors" in driver.find_element("id", "counts").text
    shot(driver, "graph-filter-funds.png")
    assert js_errors(driver) == []


def test_language_switch_and_search(driver: Any, sample_page: Path) -> None:
    from selenium.webdriver.support.ui import Select

    open_page(driver, sample_page.as_uri())
    kz = node_id(driver, str(ENT["country/kz"]))
    undp = node_id(driver, str(ENT["organisation/undp"]))
    assert driver.execute_script("return window.envgraph.labelOf(arguments[0])", kz) == "Kazakhstan"
    Select(driver.find_element("id", "lang")).select_by_value("kk")
    assert driver.execute_script("return window.envgraph.labelOf(arguments[0])", kz) == "Қазақстан"
    # no Kazakh name: falls back to English
    assert driver.execute_script("return window.envgraph.labelOf(arguments[0])", undp) == \
        "United Nations Development Programme"
    Select(driver.find_element("id", "lang")).select_by_value("ru")
    assert driver.execute_script("return window.envgraph.labelOf(arguments[0])", kz) == "Казахстан"
    driver.execute_script("window.envgraph.showNode(arguments[0])", kz)
    shot(driver, "graph-sample-ru.png")
    search = driver.find_element("id", "search")
    search.send_keys("Gazagystan")  # the Turkmen name finds Kazakhstan
    time.sleep(0.6)
    visible = set(driver.execute_script("return window.envgraph.visibleNodeIds()"))
    assert kz in visible and len(visible) == 3  # Kazakhstan, its initiative and convention
    assert js_errors(driver) == []


@pytest.mark.slow
def test_five_thousand_nodes_open_as_an_overview_and_drill_down(driver: Any, tmp_path: Path) -> None:
    page = render_html(synthetic_graph(5000), tmp_path / "big.html")
    started = time.monotonic()
    open_page(driver, page.as_uri())
    load_seconds = time.monotonic() - started
    groups = driver.execute_script("return window.envgraph.data.aggregate.groups.length")
    assert drawn(driver) == groups
    shot(driver, "graph-5000-overview.png")
    first = driver.execute_script(
        "return window.envgraph.data.aggregate.groups.find(g => !g.pooled)")
    driver.execute_script("window.envgraph.openGroup(arguments[0])", first["id"])
    assert drawn(driver) == first["size"]
    shot(driver, "graph-5000-group.png")
    driver.execute_script("window.envgraph.setQuery('Country 3')")
    assert 0 < drawn(driver) < 5000
    driver.execute_script("window.envgraph.showOverview()")
    assert drawn(driver) == groups
    assert load_seconds < 30, f"the 5,000-node page took {load_seconds:.0f}s to become ready"
    assert js_errors(driver) == []


# --- the web app ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    from envgraph.serve import ServeConfig, make_server
    from test_serve import build_store

    store_dir = build_store(tmp_path_factory.mktemp("app") / "store")
    server = make_server(ServeConfig(store=str(store_dir), port=0, workers=1, timeout=10))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.url
    server.shutdown()
    thread.join(timeout=5)
    server.close()


def test_entity_page_in_the_browser(driver: Any, app: str) -> None:
    import urllib.parse

    open_page(driver, f"{app}/entity?iri={urllib.parse.quote(str(ENT['organisation/undp']), safe='')}",
              graph=False)
    assert driver.find_element("tag name", "h1").text == "United Nations Development Programme"
    assert "implemented by UNDP" in driver.page_source
    shot(driver, "entity-undp.png")
    open_page(driver, f"{app}/entity?iri={urllib.parse.quote(XSS_IRI, safe='')}", graph=False)
    assert driver.find_element("tag name", "h1").text == XSS_SCRIPT
    assert driver.execute_script("return window.__xss") is None
    shot(driver, "entity-xss.png")
    open_page(driver, f"{app}/search?q={urllib.parse.quote('<img src=x onerror=window.__xss=9>')}",
              graph=False)
    assert driver.execute_script("return window.__xss") is None
    assert js_errors(driver) == []


def test_served_graph_runs_under_its_content_security_policy(driver: Any, app: str) -> None:
    open_page(driver, f"{app}/graph?focus=UNDP&depth=2&lang=az")
    assert drawn(driver) > 3
    undp = node_id(driver, str(ENT["organisation/undp"]))
    assert driver.execute_script("return window.envgraph.labelOf(arguments[0])", undp) == \
        "BMT-nin İnkişaf Proqramı"
    link = driver.find_element("css selector", "#panel a")  # the centre's facts link to entity pages
    assert link.get_attribute("href").startswith(app + "/entity?iri=")
    shot(driver, "served-graph-undp.png")
    assert js_errors(driver) == []  # a blocked inline script would show up here as a CSP error


# --- the sample corpus, built by the pipeline ------------------------------------------------------

CORPUS = Path(__file__).resolve().parent.parent / "data" / "corpus"


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from envgraph.cli import app, main

    if "build" not in {c.name for c in app.registered_commands}:
        pytest.skip("the build command is not available in this checkout")
    store_dir = tmp_path_factory.mktemp("corpus") / "store"
    code = main(["build", str(CORPUS), "--store", str(store_dir), "--no-progress"])
    assert code == 0
    return store_dir


def test_sample_corpus_graph_and_entity_page(driver: Any, corpus_store: Path, tmp_path: Path) -> None:
    import urllib.parse

    from envgraph.serve import ServeConfig, make_server
    from envgraph.store import open_store

    with open_store(corpus_store, read_only=True) as store:
        G = to_networkx(store)
    page = render_html(G, tmp_path / "corpus.html")
    open_page(driver, page.as_uri())
    connected = sum(1 for n in G if G.degree(n) > 0)
    assert drawn(driver) == connected  # actors without relations start hidden
    shot(driver, "graph-corpus.png")
    driver.execute_script("window.envgraph.showIsolated(true)")
    assert drawn(driver) == G.number_of_nodes()
    driver.execute_script("window.envgraph.showIsolated(false)")
    Select = __import__("selenium.webdriver.support.ui", fromlist=["Select"]).Select
    Select(driver.find_element("id", "lang")).select_by_value("ru")
    hub = max(G, key=G.degree)
    driver.execute_script("window.envgraph.showNode(arguments[0])", node_id(driver, hub))
    shot(driver, "graph-corpus-ru.png")
    assert js_errors(driver) == []

    server = make_server(ServeConfig(store=str(corpus_store), port=0, workers=1, timeout=20))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        open_page(driver, f"{server.url}/entity?iri={urllib.parse.quote(hub, safe='')}", graph=False)
        assert driver.find_element("tag name", "h1").text
        assert "Facts (" in driver.page_source or "FACTS (" in driver.page_source
        shot(driver, "entity-corpus.png")
        open_page(driver, f"{server.url}/graph")
        assert drawn(driver) == connected
        assert js_errors(driver) == []
    finally:
        server.shutdown()
        thread.join(timeout=5)
        server.close()
