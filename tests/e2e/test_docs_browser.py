"""A caseworker's path through /docs, in a real headless Chromium."""

import json
import os
import shutil

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.browser]

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
OPERATION = "operations-Referrals-search_referrals_v1_referrals_search_post"
ANSWER = f"#{OPERATION} .live-responses-table .response-col_description pre"


@pytest.fixture(scope="module")
def server(sample_server):
    """The shared sample server: these tests only read."""
    return sample_server.server


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        if os.environ.get("CI"):
            pytest.fail("CI must install the Debian packages chromium and chromium-driver")
        pytest.skip("needs the Debian packages chromium and chromium-driver")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={tmp_path_factory.mktemp('browser') / 'profile'}",
        "--window-size=1400,2000",
    ):
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    yield driver
    driver.quit()


def test_try_it_out_runs_the_example_search_and_shows_ranked_options(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import WebDriverWait

    wait = WebDriverWait(browser, 60)
    browser.get(f"{server.url}/docs")
    operation = wait.until(ready.presence_of_element_located((By.ID, OPERATION)))
    operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
    wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, f"#{OPERATION} .try-out__btn")))
    operation.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
    execute = wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, f"#{OPERATION} .execute")))
    execute.click()
    body = wait.until(
        ready.presence_of_element_located(
            (By.CSS_SELECTOR, f"#{OPERATION} .live-responses-table .response-col_description pre")
        )
    )
    wait.until(lambda _: '"options"' in body.text)
    answer = json.loads(body.text)
    assert answer["area"]["label"] == "Arrondissement 3"
    first = answer["providers"][answer["options"][0]["provider_id"]]
    assert first["reasons"] and set(first["reasons"]) <= set(answer["notes"])
    assert answer["safe_entry_points"]
    status = operation.find_element(
        By.CSS_SELECTOR, ".live-responses-table tbody .response-col_status"
    )
    assert status.text.strip() == "200"
    # Nothing on the page came from another host.
    hosts = browser.execute_script(
        "return performance.getEntriesByType('resource').map(e => new URL(e.name).host)"
    )
    assert set(hosts) <= {server.url.removeprefix("http://")}


def test_a_caseworker_reads_the_french_page_and_a_text_answer(
    server, browser, tmp_path, record_property
):
    """In French, the search is found by its French summary, and Try it out with the
    text/plain media type shows the numbered list; a picture of the page is kept."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ready
    from selenium.webdriver.support.ui import Select, WebDriverWait

    from referral_api.api.openapi_fr import FRENCH

    picture = tmp_path / "docs-fr-text-answer.png"
    wait = WebDriverWait(browser, 60)
    try:
        browser.get(f"{server.url}/docs?lang=fr")
        operation = wait.until(ready.presence_of_element_located((By.ID, OPERATION)))
        summary = operation.find_element(By.CSS_SELECTOR, ".opblock-summary-description")
        assert summary.text == FRENCH["Find where to refer a survivor"]
        operation.find_element(By.CSS_SELECTOR, ".opblock-summary").click()
        wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, f"#{OPERATION} .try-out__btn")))
        operation.find_element(By.CSS_SELECTOR, ".try-out__btn").click()
        media = operation.find_element(By.CSS_SELECTOR, ".response-control-media-type select")
        Select(media).select_by_value("text/plain")
        selector = f"#{OPERATION} .execute"
        wait.until(ready.element_to_be_clickable((By.CSS_SELECTOR, selector))).click()
        body = wait.until(
            ready.presence_of_element_located(
                (
                    By.CSS_SELECTOR,
                    f"#{OPERATION} .live-responses-table .response-col_description pre",
                )
            )
        )
        wait.until(lambda _: "PRISE EN CHARGE MÉDICALE" in body.text)
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", body)
        # Its lines as sent: the page lays the answer out in spans, and `.text` gives them
        # back without their line breaks.
        text = body.get_attribute("textContent")
        assert text.startswith("Orientation — Arrondissement 3 (CF7113)")
        first_medical = text.split("PRISE EN CHARGE MÉDICALE\n", 1)[1].splitlines()[0]
        assert first_medical.startswith("1. Hôpital Communautaire · ")
        assert "72 heures" in text
    except Exception as error:
        error.add_note(f"screenshot of the page: {picture}")
        raise
    finally:
        browser.save_screenshot(str(picture))
        record_property("screenshot", str(picture))
