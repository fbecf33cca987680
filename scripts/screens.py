#!/usr/bin/env python3
"""The centre's screens in a real browser: a fresh deskd, headless Chromium (Debian's chromium and
chromium-driver, Selenium from PyPI) acting as each user.

A citizen takes a number at the kiosk (its slip printed to PDF: 80 mm wide, the QR decoding to the
follow link); the officer opens the counter and calls it from the console; the hall display shows
and announces it within a second; the officer takes in a dossier (a bad phone first: the API's
own words beside the field) and prints the receipt in one click, with no Content-Security-Policy
violation; the citizen looks the dossier up on a phone, follows the number, checks the receipt's
seal; the supervisor's board draws its chart; the display reconnects across a deskd restart and
shows the call made while it was down; no page requests anything from elsewhere. With
--png-dir each page is kept as a screenshot at its real size (docs/screens/).

    python3 scripts/screens.py --deskd .build/debug/deskd [--png-dir docs/screens]
"""

import argparse
import base64
import html as htmllib
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
from checks import call, check, size  # noqa: E402
from deskd_process import Deskd  # noqa: E402

def wait(driver, condition, seconds=10, message="condition"):
    try:
        return WebDriverWait(driver, seconds, poll_frequency=0.05).until(condition)
    except Exception:
        raise SystemExit(f"FAIL: timed out waiting for {message} on {driver.current_url}")


def sign_in(driver, url, token):
    driver.get(url)
    field = wait(driver, EC.visibility_of_element_located((By.ID, "token")), message="the sign-in form")
    field.send_keys(token)
    driver.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
    wait(driver, EC.visibility_of_element_located((By.ID, "app")), message="the page after sign-in")


def own_requests_only(driver, base, page):
    resources = driver.execute_script("return performance.getEntriesByType('resource').map(e => e.name)")
    strangers = [name for name in resources if not (name.startswith(base) or name.startswith("data:") or name.startswith("blob:"))]
    check(not strangers, f"{page} requested nothing from elsewhere: {strangers}")
    violations = [entry["message"] for entry in driver.get_log("browser") if "Content Security Policy" in entry["message"]]
    check(not violations, f"{page}: no Content-Security-Policy violation: {violations}")


def shot(driver, png_dir, name):
    if png_dir:
        driver.execute_script("window.scrollTo(0, 0)")
        os.makedirs(png_dir, exist_ok=True)
        driver.save_screenshot(os.path.join(png_dir, f"{name}.png"))


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deskd", required=True)
    parser.add_argument("--png-dir", help="keep a screenshot of each page here")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="screens-")
    database = os.path.join(folder, "desk.sqlite")
    log = os.path.join(folder, "deskd.out")
    daemon = Deskd(args.deskd, database, log, env={"DESK_LOG_LEVEL": "warning"})
    port = daemon.port
    drivers = []
    try:
        base, admin = daemon.base, daemon.admin_token()
        api = base + "/api/v1"
        call("PATCH", f"{api}/centre", admin, 200, json={"name": "Trung tâm Phục vụ hành chính công quận Hải Châu"})
        call("POST", f"{api}/staff", admin, 201, json={"username": "man-hinh", "name": "Màn hình sảnh", "role": "display", "employment": "contract"})
        tokens = {}
        for username in ("kiosk-1", "man-hinh", "lan.mc", "giamsat"):
            tokens[username] = call("POST", f"{api}/staff/{username}/tokens", admin, 201, json={"label": "screens"}).json()["token"]
        call("POST", f"{api}/counters", admin, 201, json={"number": 1, "name": "Hộ tịch", "department": "mot-cua", "services": ["1.001193", "1.000894"]})
        for path in ("/hall", "/kiosk", "/counter", "/tra-cuu", "/board"):
            r = call("GET", base + path, None, 200)
            policy = r.headers.get("Content-Security-Policy", "")
            check("default-src 'none'" in policy and "script-src 'self'" in policy and "frame-ancestors 'none'" in policy,
                  f"{path} has a strict Content-Security-Policy: {policy}")

        # The hall display, on a TV.
        tv = checks.chromium(1920, 1080, logs=True)
        drivers.append(tv)
        sign_in(tv, base + "/hall", tokens["man-hinh"])
        wait(tv, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-connected") == "true", message="the display's feed")

        # A citizen at the kiosk, portrait.
        user = checks.chromium(1080, 1920, logs=True)
        drivers.append(user)
        # A staff member's token is refused on the hall's kiosk (it would stay on it).
        user.get(base + "/kiosk")
        wait(user, EC.visibility_of_element_located((By.ID, "token")), message="the kiosk's sign-in").send_keys(tokens["lan.mc"])
        user.find_element(By.CSS_SELECTOR, "#login-form button[type=submit]").click()
        wait(user, EC.visibility_of_element_located((By.ID, "login-problem")), message="the kiosk refusing an officer's token")
        check(user.execute_script("return localStorage.getItem('servicedesk.token.kiosk')") is None, "the refused token is not kept")
        sign_in(user, base + "/kiosk", tokens["kiosk-1"])
        user.execute_script("localStorage.setItem('servicedesk.kiosk.print', 'off')")
        button = wait(user, EC.element_to_be_clickable((By.CSS_SELECTOR, "button[data-service='1.001193']")), message="the kiosk's services")
        check("Hộ tịch" in user.find_element(By.ID, "services").text, "the kiosk groups services by field")
        groups = [node.text for node in user.find_elements(By.CSS_SELECTOR, "#services h2")]
        check(groups[:2] == ["Chứng thực", "Đất đai"] and groups[-1] == "Dịch vụ khác", f"fields in Vietnamese order: {groups}")
        check("Người cao tuổi" in user.find_element(By.ID, "priority").text, "priority groups in Vietnamese")
        shot(user, args.png_dir, "kiosk")
        # An elderly citizen: the number is a priority one.
        user.find_element(By.CSS_SELECTOR, "#priority button[data-reason='elderly']").click()
        button.click()
        wait(user, EC.visibility_of_element_located((By.ID, "issued")), message="the issued number")
        label = user.find_element(By.ID, "issued-label").text
        check(re.fullmatch(r"A0*1", label) is not None, f"the kiosk issued A001: {label}")
        check("ưu tiên: Người cao tuổi" in user.find_element(By.ID, "issued-service").text, "the slip says the priority group")
        wait(user, lambda d: d.execute_script("return document.getElementById('issued-qr').naturalWidth > 0"), message="the slip's QR")
        shot(user, args.png_dir, "kiosk-number")
        slip = user.execute_cdp_cmd("Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True})
        pdf = os.path.join(folder, "slip.pdf")
        with open(pdf, "wb") as f:
            f.write(base64.b64decode(slip["data"]))
        info = subprocess.run(["pdfinfo", pdf], capture_output=True, text=True, check=True).stdout
        width = float(re.search(r"Page size:\s+([\d.]+) x", info).group(1))
        check(abs(width - 226.8) < 3, f"the slip prints 80 mm wide: {width} pt")
        text = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split())
        check(label in text and "Đăng ký khai sinh" in text and "Xin mời chọn dịch vụ" not in text, f"the slip holds only the number: {text[:200]}")
        subprocess.run(["pdftoppm", "-r", "300", "-png", "-singlefile", pdf, os.path.join(folder, "slip")], check=True)
        follow = subprocess.run(["zbarimg", "--raw", "-q", os.path.join(folder, "slip.png")], capture_output=True, text=True).stdout.strip()
        check(follow.startswith(f"{base}/tra-cuu?so={label}&ngay="), f"the slip's QR is the follow link: {follow!r}")
        own_requests_only(user, base, "kiosk")

        # The officer at the counter console.
        size(user, 1440, 1000)
        sign_in(user, base + "/counter", tokens["lan.mc"])
        wait(user, lambda d: len(Select(d.find_element(By.ID, "counter-select")).options) == 1, message="the counters")
        user.find_element(By.ID, "open").click()
        wait(user, lambda d: "Đang mở" in d.find_element(By.ID, "counter-state").text, message="the counter opened")
        started = time.time()
        user.find_element(By.ID, "call").click()
        wait(user, lambda d: label in d.find_element(By.ID, "current").text, message="the called number on the console")
        wait(tv, lambda d: d.find_element(By.ID, "now-label").text == label, seconds=3, message="the call on the hall display")
        shown = time.time() - started
        check(shown < 1.5, f"the display showed the call {shown:.2f} s after the click (≤ 1 s of server polling and rendering)")
        announced = tv.find_element(By.TAG_NAME, "body").get_attribute("data-announced")
        check(announced == f"Mời số {label} đến quầy 1", f"the display announces the call: {announced!r}")
        user.find_element(By.ID, "start").click()
        wait(user, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-number-state") == "serving", message="service started")

        form = user.find_element(By.ID, "intake")
        check(Select(user.find_element(By.ID, "service")).first_selected_option.get_attribute("value") == "1.001193",
              "the intake starts from the called number's service")
        user.find_element(By.ID, "name").send_keys("Đặng Thị Hoa")
        user.find_element(By.ID, "phone").send_keys("0123")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        error = wait(user, EC.visibility_of_element_located((By.ID, "phone-error")), message="the phone's field error")
        check(error.text.strip() != "" and error.text in user.find_element(By.ID, "intake-problem").text,
              f"the API's words beside the field: {error.text!r}")
        user.find_element(By.ID, "phone").clear()
        user.find_element(By.ID, "phone").send_keys("0912345678")
        user.find_element(By.ID, "idNumber").send_keys("048190001234")
        form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        wait(user, EC.visibility_of_element_located((By.ID, "receipt")), message="the receipt")
        code = user.find_element(By.TAG_NAME, "body").get_attribute("data-received")
        check(bool(code) and code in user.find_element(By.ID, "receipt").text, f"the receipt shows the dossier code {code}")
        user.find_element(By.CSS_SELECTOR, "#receipt button[data-form='01']").click()
        wait(user, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-printed") == "01", message="form 01 printed")
        framed = user.execute_script("""
            const frame = document.querySelector('iframe');
            return frame ? frame.contentDocument.body.innerText : '';""")
        check("GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in framed and code in framed, "the printed frame holds form 01")
        styled = user.execute_script("""
            const frame = document.querySelector('iframe');
            return frame ? getComputedStyle(frame.contentDocument.querySelector('h1')).textAlign : '';""")
        check(styled == "center", f"the form's own stylesheet applies in the frame (allowed by its hash): text-align {styled!r}")
        user.find_element(By.ID, "finish").click()
        wait(user, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-number-state") == "served", message="service finished")
        shot(user, args.png_dir, "counter")
        own_requests_only(user, base, "counter")

        # The citizen on a phone.
        size(user, 390, 844)
        user.get(f"{base}/tra-cuu")
        user.find_element(By.ID, "code").send_keys(code)
        user.find_element(By.ID, "phone").send_keys("0912 345 678")
        user.find_element(By.CSS_SELECTOR, "#lookup button").click()
        wait(user, EC.visibility_of_element_located((By.ID, "answer")), message="the lookup's answer")
        answer = user.find_element(By.ID, "answer").text
        check("Đang chờ xử lý" in answer and "Hẹn trả kết quả" in answer, f"the answer in plain Vietnamese: {answer}")
        check("Đặng Thị Hoa" not in answer and "048190001234" not in answer, "the lookup shows nothing personal")
        receipt = call("GET", f"{api}/tickets/{code}/forms/01", tokens["lan.mc"], 200).text
        seal = htmllib.unescape(re.search(r'data-seal="([^"]+)"', receipt).group(1))
        user.find_element(By.ID, "seal").send_keys(seal)
        user.find_element(By.CSS_SELECTOR, "#verify button").click()
        wait(user, EC.visibility_of_element_located((By.ID, "verdict")), message="the seal's verdict")
        check("Phiếu hợp lệ" in user.find_element(By.ID, "verdict").text, "the receipt's seal is genuine on the lookup page")
        shot(user, args.png_dir, "lookup")
        user.get(follow)
        wait(user, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-number-state") == "served", message="the followed number")
        own_requests_only(user, base, "lookup")

        # The supervisor's board.
        size(user, 1440, 900)
        sign_in(user, base + "/board", tokens["giamsat"])
        wait(user, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-refreshed"), message="the board's data")
        check(user.find_elements(By.CSS_SELECTOR, "#chart svg rect"), "the board draws its chart")
        check(user.find_element(By.ID, "open").text == "1/1", f"the board counts the open counter: {user.find_element(By.ID, 'open').text}")
        shot(user, args.png_dir, "board")
        own_requests_only(user, base, "board")

        # The display across a restart: the calls made while it was away arrive when it resumes
        # after the last call it showed (Last-Event-ID) — exactly those, whatever their number
        # (a fresh connection would receive the last ten again instead).
        before = int(tv.find_element(By.TAG_NAME, "body").get_attribute("data-received"))
        check(daemon.stop() == 0, "deskd stops cleanly")
        wait(tv, lambda d: d.find_element(By.TAG_NAME, "body").get_attribute("data-connected") == "false", message="the display noticing the drop")
        daemon = Deskd(args.deskd, database, log, env={"DESK_LOG_LEVEL": "warning"}, port=port)
        issued = None
        for service in ["1.000894"] + ["1.001193"] * 11:
            issued = call("POST", f"{api}/queue-numbers", tokens["kiosk-1"], 201, json={"service": service}).json()["number"]["label"]
            call("POST", f"{api}/counters/1/call-next", tokens["lan.mc"], 200)
        wait(tv, lambda d: d.find_element(By.ID, "now-label").text == issued, seconds=10, message="the calls made during the restart")
        time.sleep(0.5)
        after = int(tv.find_element(By.TAG_NAME, "body").get_attribute("data-received"))
        check(after == before + 12, f"the display resumed after its last call: {after - before} calls received for 12 made")
        wait(tv, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#calls li")) == 6, message="six earlier calls listed")
        time.sleep(0.5)
        kept = tv.execute_script("return document.querySelectorAll('#calls li').length")
        check(kept == 6, f"the display lists six earlier calls and keeps ten, whatever the day brings: {kept}")
        check(tv.find_element(By.ID, "centre").text == "Trung tâm Phục vụ hành chính công quận Hải Châu", "the display titles itself with the centre")
        # A stream of calls, with the display's memory watched: the JavaScript heap (after a
        # garbage collection) and the page's elements stay where they were.
        def footprint():
            return tv.execute_script("window.gc(); return [performance.memory.usedJSHeapSize, document.getElementsByTagName('*').length]")
        for _ in range(20):
            call("POST", f"{api}/queue-numbers", tokens["kiosk-1"], 201, json={"service": "1.001193"})
            call("POST", f"{api}/counters/1/call-next", tokens["lan.mc"], 200)
        time.sleep(1)
        heap_before, nodes_before = footprint()
        received_before = int(tv.find_element(By.TAG_NAME, "body").get_attribute("data-received"))
        for _ in range(300):
            call("POST", f"{api}/queue-numbers", tokens["kiosk-1"], 201, json={"service": "1.001193"})
            call("POST", f"{api}/counters/1/call-next", tokens["lan.mc"], 200)
        wait(tv, lambda d: int(d.find_element(By.TAG_NAME, "body").get_attribute("data-received")) == received_before + 300,
             seconds=20, message="300 more calls on the display")
        time.sleep(1)
        heap_after, nodes_after = footprint()
        print(f"hall display over 300 calls: JS heap {heap_before / 1024:.0f} KiB -> {heap_after / 1024:.0f} KiB, elements {nodes_before} -> {nodes_after}")
        check(nodes_after == nodes_before, f"the display's elements do not grow with the calls: {nodes_before} -> {nodes_after}")
        check(heap_after - heap_before < 512 * 1024, f"the display's heap does not grow with the calls: {heap_before} -> {heap_after}")
        shot(tv, args.png_dir, "hall")
        own_requests_only(tv, base, "hall")
        print(f"screens in Chromium: {checks.count} checks passed")
    finally:
        for driver in drivers:
            driver.quit()
        daemon.stop()
        if sys.exc_info()[0] is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"the daemon's database and output are kept in {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
