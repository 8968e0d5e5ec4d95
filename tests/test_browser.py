"""The pages in a real headless browser (Debian chromium + chromedriver, driven by Selenium).

When the browser is not installed these tests are skipped with a reason that says so
(`scripts/test` installs it where it can, as CI does).
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from ingest import build
from tests.conftest import ROOT, running_server

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
ARTEFACTS = ROOT / "test-artifacts"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="NOT RUN: headless Chromium and chromedriver are not installed "
    "(Debian: apt-get install chromium chromium-driver)",
)


@pytest.fixture(scope="module")
def browser(built_store: tuple[Path, build.Report]) -> Iterator[tuple[Any, str]]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1200,1600"):
        options.add_argument(arg)
    with running_server(built_store[0]) as url:
        driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
        try:
            yield driver, url
        finally:
            driver.quit()


def test_entity_page_in_a_browser(browser: tuple[Any, str]) -> None:
    from selenium.webdriver.common.by import By

    driver, url = browser
    driver.get(f"{url}/id/entity/graduated-sovereignty")
    assert driver.find_element(By.TAG_NAME, "h1").text == "graduated sovereignty"
    quotes = [q.text for q in driver.find_elements(By.TAG_NAME, "blockquote")]
    assert any("graduated sovereignty describes a situation" in q for q in quotes)
    assert driver.find_elements(By.CSS_SELECTOR, "svg a")  # the neighbourhood picture
    ARTEFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / "entity-graduated-sovereignty.png"))


def test_run_a_named_query_from_the_query_page(browser: tuple[Any, str]) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.select import Select
    from selenium.webdriver.support.ui import WebDriverWait

    driver, url = browser
    driver.get(f"{url}/query")
    wait = WebDriverWait(driver, 30)
    wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#named option")) > 25)
    Select(driver.find_element(By.ID, "named")).select_by_value("concept-credits")
    wait.until(lambda d: "dw:coinedBy" in d.find_element(By.ID, "q").get_attribute("value"))
    driver.find_element(By.ID, "run").click()
    wait.until(ec.text_to_be_present_in_element((By.ID, "status"), "row(s)"))
    headers = [th.text for th in driver.find_elements(By.CSS_SELECTOR, "#results th")]
    assert headers[:3] == ["relation", "agent", "agent_label"]
    cells = [td.text for td in driver.find_elements(By.CSS_SELECTOR, "#results td")]
    assert "Antonio A. Casilli" in cells
    ARTEFACTS.mkdir(exist_ok=True)
    driver.save_screenshot(str(ARTEFACTS / "query-concept-credits.png"))
