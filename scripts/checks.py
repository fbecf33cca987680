"""What the scripts that drive a real deskd share: counted checks that stop at the first failure,
an HTTP call that must answer a given status, and a headless Chromium (Debian's chromium and
chromium-driver through Selenium) sized like the screen a page is made for.

Used by scripts/open311-clients.py, scripts/forms_print.py and scripts/screens.py.
"""

count = 0


def check(condition, message):
    """Counts a check; the first that fails stops the script with its message."""
    global count
    count += 1
    if not condition:
        raise SystemExit(f"FAIL: {message}")


def call(method, url, token, expect, **kwargs):
    """An HTTP request (a bearer token if given) that must answer `expect`."""
    import requests

    headers = kwargs.pop("headers", {})
    if token:
        headers["Authorization"] = f"Bearer {token}"
    r = requests.request(method, url, headers=headers, timeout=20, **kwargs)
    check(r.status_code == expect, f"{method} {url}: {r.status_code} {r.text[:300]}")
    return r


def chromium(width, height, logs=False):
    """Headless Chromium whose page viewport is exactly width × height CSS pixels."""
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = "/usr/bin/chromium"
    for flag in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", f"--window-size={width},{height}",
                 "--lang=vi-VN", "--autoplay-policy=no-user-gesture-required", "--js-flags=--expose-gc"):
        options.add_argument(flag)
    if logs:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)
    size(driver, width, height)
    return driver


def size(driver, width, height):
    """The page's own viewport at exactly this size (a TV, a kiosk, a desktop, a phone)."""
    driver.set_window_size(width, height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 500})
