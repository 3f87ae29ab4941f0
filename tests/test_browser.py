"""The site in headless Chromium (Debian's ``chromium`` and ``chromium-driver``).

The static site is written by ``refsi publish`` and served on loopback by a
plain static file server; the server's negotiated pages are checked too.
Every test skips, with the reason, when Chromium or its driver is missing;
``.ci/run`` installs both.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from refsi_graph.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="needs Debian's chromium and chromium-driver (apt-get install chromium "
    "chromium-driver); .ci/run installs them",
)

if CHROMIUM and DRIVER:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    from selenium.webdriver.remote.webdriver import WebDriver
    from selenium.webdriver.support import expected_conditions
    from selenium.webdriver.support.ui import WebDriverWait

from test_publish import static_host  # noqa: E402

LABEL_FR = (
    "Définition et conception générale : rédaction des spécifications fonctionnelles "
    "contribuant au cahier des charges et/ou à l'élaboration du CCTP"
)
LABEL_EN = (
    "Definition and high-level design: writing the functional specifications that "
    "feed into the requirements specification and/or the drafting of the technical "
    "specifications document (CCTP)"
)


# Kept after the run for a person to look at (git-ignored, like all of out/).
SCREENSHOTS = Path(__file__).resolve().parents[1] / "out" / "screenshots"
SCREENSHOTS.mkdir(parents=True, exist_ok=True)


@pytest.fixture(scope="module")
def site_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    out = tmp_path_factory.mktemp("browser") / "site"
    assert main(["publish", "--out", str(out)]) == 0
    with static_host(out) as url:
        yield url


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    profile = tmp_path_factory.mktemp("chromium-profile")
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,1000",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(
        service=Service(executable_path=str(DRIVER)), options=options
    )
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()


def console_errors(driver: WebDriver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def test_concept_page_shows_labels_and_links(
    browser: WebDriver, site_url: str, tmp_path_factory: pytest.TempPathFactory
) -> None:
    browser.get(site_url + "doc/activite/3.2.4.html")
    assert browser.find_element(By.ID, "label-fr").text == LABEL_FR
    assert browser.find_element(By.ID, "label-en").text == LABEL_EN
    assert browser.find_element(By.ID, "notation").text == "3.2.4"
    crumbs = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".breadcrumb a")]
    assert crumbs == [
        "Référentiel de compétences en système d'information",
        "3 Projet SI",
        "3.2 Réalisation de projet SI",
    ]
    actors = [
        a.text.split(" ", 1)
        for a in browser.find_elements(By.CSS_SELECTOR, ".actors a")
    ]
    assert [label for _, label in actors] == [
        "Chef de projet informatique",
        "Chef de projet métier",
        "Référent métier",
    ]
    assert actors[0][0] == "2.4"
    shot = SCREENSHOTS / "activite-3.2.4.png"
    assert browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000
    browser.find_element(By.CSS_SELECTOR, ".broader a").click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("processus/3.2"))
    assert browser.find_element(By.ID, "label-fr").text == "Réalisation de projet SI"
    assert console_errors(browser) == []


def test_actor_page_lists_activities_by_process(
    browser: WebDriver, site_url: str
) -> None:
    browser.get(site_url + "doc/acteur/rssi.html")
    assert browser.find_element(By.TAG_NAME, "h1").text == (
        "Responsable de la sécurité des systèmes d'information"
    )
    processes = browser.find_elements(By.CSS_SELECTOR, ".activities h3")
    activities = browser.find_elements(By.CSS_SELECTOR, ".activities li a")
    assert len(activities) == 13
    assert processes[0].text.startswith("1.2 ")
    assert console_errors(browser) == []


def test_tree_opens(browser: WebDriver, site_url: str) -> None:
    browser.get(site_url + "doc/referentiel.html")
    target = browser.find_element(By.CSS_SELECTOR, 'a[href="activite/3.2.4.html"]')
    assert not target.is_displayed()
    macro = browser.find_element(
        By.XPATH, "//summary[a[@href='macro-processus/3.html']]"
    )
    macro.find_element(By.CLASS_NAME, "count").click()
    process = browser.find_element(By.XPATH, "//summary[a[@href='processus/3.2.html']]")
    assert process.is_displayed()
    assert not target.is_displayed()
    process.find_element(By.CLASS_NAME, "count").click()
    assert target.is_displayed()
    target.click()
    WebDriverWait(browser, 10).until(expected_conditions.url_contains("activite/3.2.4"))
    assert browser.find_element(By.ID, "label-fr").text == LABEL_FR
    # The script's buttons open and close every branch.
    browser.get(site_url + "doc/referentiel.html")
    browser.find_element(By.CSS_SELECTOR, 'button[data-tree="open"]').click()
    assert all(
        d.get_attribute("open") is not None
        for d in browser.find_elements(By.CSS_SELECTOR, ".tree details")
    )
    assert console_errors(browser) == []


@pytest.mark.parametrize(
    "typed", ["sauvegarde", "SAUVEGARDE", "sauvegardé", "Sauvegardé"]
)
def test_search_ignores_case_and_accents(
    browser: WebDriver, site_url: str, typed: str
) -> None:
    browser.get(site_url + "recherche.html")
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys(typed)
    WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li")
    )
    results = [
        li.text for li in browser.find_elements(By.CSS_SELECTOR, "#search-results li")
    ]
    assert len(results) == 2
    assert results[0].startswith(
        "5.2.2 Mise en œuvre des plans de secours et de sauvegarde"
    )
    assert results[1].startswith("5.4.1 Sensibilisation des utilisateurs")
    assert browser.find_element(By.ID, "search-status").text.startswith("2 résultats")
    assert console_errors(browser) == []


def test_search_from_the_header_form(browser: WebDriver, site_url: str) -> None:
    browser.get(site_url + "doc/acteur/rssi.html")
    box = browser.find_element(By.ID, "quick-q")
    box.send_keys("cybersécurité")
    box.submit()
    WebDriverWait(browser, 10).until(
        lambda d: d.find_elements(By.CSS_SELECTOR, "#search-results li")
    )
    texts = [
        li.text for li in browser.find_elements(By.CSS_SELECTOR, "#search-results li")
    ]
    assert any("Expert en cybersécurité" in t for t in texts)
    # A variant spelling met in the table finds its actor too.
    box = browser.find_element(By.ID, "q")
    box.clear()
    box.send_keys("DPO")
    WebDriverWait(browser, 10).until(
        lambda d: (
            "protection des données" in d.find_element(By.ID, "search-results").text
        )
    )


def test_no_console_error_on_any_kind_of_page(
    browser: WebDriver, site_url: str
) -> None:
    for page in (
        "index.html",
        "alphabetique.html",
        "recherche.html",
        "donnees.html",
        "doc/ontologie.html",
        "doc/acteurs.html",
        "doc/glossaire.html",
        "doc/glossaire/transfert.html",
        "doc/organisation/anap.html",
        "doc/macro-processus/3.html",
    ):
        browser.get(site_url + page)
        assert browser.find_element(By.TAG_NAME, "h1").text, page
        assert console_errors(browser) == [], page


def test_server_pages_in_the_browser(browser: WebDriver) -> None:
    from conftest import running_server

    with running_server("http://127.0.0.1:{port}/id/", timeout=3.0, workers=1) as url:
        browser.get(f"{url}/id/activite/3.2.4")
        assert browser.current_url == f"{url}/doc/activite/3.2.4"
        assert browser.find_element(By.ID, "label-fr").text == LABEL_FR
        browser.find_element(By.CSS_SELECTOR, ".actors a").click()
        WebDriverWait(browser, 10).until(expected_conditions.url_contains("/acteur/"))
        browser.get(f"{url}/sparql")
        browser.find_element(By.CSS_SELECTOR, "form.sparql button").click()
        WebDriverWait(browser, 10).until(lambda d: "1.2.1" in d.page_source)
        assert console_errors(browser) == []
