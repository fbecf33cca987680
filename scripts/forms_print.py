#!/usr/bin/env python3
"""The printed forms in a real browser: real tickets through a real deskd, each form printed to
PDF by headless Chromium (Debian's chromium and chromium-driver, Selenium from PyPI) and read back
with poppler (pdfinfo, pdftotext, pdftoppm) and zbar (zbarimg).

For every form: the page count and paper size (one A5 page for a slip, A4 for the control sheet,
A4 landscape for the tracking book), the Vietnamese text intact, and the QR code decoding to the
seal the HTML carries, which the public lookup calls genuine and current; the same seal with one
character of its appointment changed is refused. Numbers survive a restart: a reprint after it
shows the same number. With --png-dir the first page of each form is kept as a PNG (docs/forms/).

    python3 scripts/forms_print.py --deskd .build/debug/deskd [--png-dir docs/forms]
"""

import argparse
import base64
import datetime
import html as htmllib
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import checks  # noqa: E402
from checks import call, check  # noqa: E402
from deskd_process import Deskd  # noqa: E402

A5 = (419.53, 595.28)
A4 = (595.28, 841.89)


def print_pdf(driver, html_path, pdf_path):
    """The page printed as Chromium prints it: the paper size of its @page CSS, no header or footer."""
    driver.get("file://" + html_path)
    result = driver.execute_cdp_cmd(
        "Page.printToPDF", {"preferCSSPageSize": True, "printBackground": True, "displayHeaderFooter": False})
    with open(pdf_path, "wb") as f:
        f.write(base64.b64decode(result["data"]))


def pdf_info(path):
    text = subprocess.run(["pdfinfo", path], capture_output=True, text=True, check=True).stdout
    pages = int(re.search(r"^Pages:\s+(\d+)", text, re.M).group(1))
    width, height = map(float, re.search(r"^Page size:\s+([\d.]+) x ([\d.]+)", text, re.M).groups())
    return pages, (width, height)


def same_size(size, paper):
    return abs(size[0] - paper[0]) < 2 and abs(size[1] - paper[1]) < 2


def qr_of(pdf_path, folder, name):
    prefix = os.path.join(folder, name)
    subprocess.run(["pdftoppm", "-r", "200", "-png", "-f", "1", "-l", "1", pdf_path, prefix], check=True)
    png = next(os.path.join(folder, f) for f in sorted(os.listdir(folder)) if f.startswith(name) and f.endswith(".png"))
    scanned = subprocess.run(["zbarimg", "--raw", "-q", "-Sbinary", png], capture_output=True)
    return png, scanned.stdout.decode("utf-8").strip()


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--deskd", required=True)
    parser.add_argument("--png-dir", help="keep the first page of each form as a PNG here")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="forms-")
    database = os.path.join(folder, "desk.sqlite")
    daemon = Deskd(args.deskd, database, os.path.join(folder, "deskd.out"), env={"DESK_LOG_LEVEL": "warning"})
    driver = None
    try:
        base, admin = daemon.base, daemon.admin_token()
        api = base + "/api/v1"
        call("PATCH", f"{api}/centre", admin, 200, json={
            "name": "Trung tâm Phục vụ hành chính công quận Hải Châu", "issuingBody": "UBND QUẬN HẢI CHÂU", "place": "Đà Nẵng",
            "contactPhone": "0236 3822 101"})
        # The demo's counter officer (Nguyễn Thị Lan, Bộ phận Một cửa) receives the dossiers.
        officer = call("POST", f"{api}/staff/lan.mc/tokens", admin, 201, json={"label": "counter"}).json()["token"]

        person = {"kind": "person", "name": "Trần Văn Đức", "idNumber": "048090001234", "phone": "0905123456",
                  "email": "duc.tran@example.vn", "address": "12 Lê Duẩn, phường Hải Châu, Đà Nẵng",
                  "representative": {"name": "Lê Thị Hồng Nhung", "idNumber": "048195004321", "phone": "0935111222",
                                     "authorisation": "Giấy ủy quyền số 15/2026 ngày 20/11/2026"}}
        land = call("POST", f"{api}/tickets", officer, 201, json={
            "service": "1.004227", "applicant": person, "description": "Thửa đất số 45, tờ bản đồ số 12",
            "documents": [{"name": "Đơn đăng ký đất đai, tài sản gắn liền với đất (Mẫu 04a/ĐK)", "copies": 1, "original": True},
                          {"name": "Giấy tờ về quyền sử dụng đất", "copies": 2, "original": False}]}).json()
        code = land["receipt"]["code"]
        check([f["form"] for f in land["receipt"]["forms"]] == ["01", "06"], f"the intake answer links forms 01 and 06: {land['receipt']['forms']}")
        receipt_number = land["receipt"]["forms"][0]["number"]
        birth = call("POST", f"{api}/tickets", officer, 201, json={
            "service": "1.001193", "applicant": {"kind": "person", "name": "Phạm Thị Ngọc Ánh", "phone": "0912345678"},
            "outcome": "incomplete", "missing": ["Giấy chứng sinh (bản chính)", "Giấy tờ tùy thân của người đi khai sinh"]}).json()
        refused = call("POST", f"{api}/tickets", officer, 201, json={
            "service": "1.000894", "applicant": {"kind": "person", "name": "Võ Minh Quân", "phone": "0987654321"},
            "outcome": "refused", "reasons": "Hai bên chưa đủ tuổi kết hôn theo Luật Hôn nhân và gia đình"}).json()
        check(birth["receipt"]["forms"][0]["form"] == "02" and refused["receipt"]["forms"][0]["form"] == "03",
              "an incomplete intake links form 02, a refused one form 03")
        # A new appointment ten days after the first (the server checks it is later).
        moment = datetime.datetime.fromisoformat(land["receipt"]["dueAt"].replace("Z", "+00:00")) + datetime.timedelta(days=10)
        apology = call("POST", f"{api}/tickets/{code}/actions/apologise", admin, 200, json={
            "note": "Cần xác minh thêm ranh giới thửa đất với các hộ liền kề", "revisedDueAt": moment.isoformat()}).json()
        check(any(f["form"] == "04" for f in apology["forms"]), "the apology's answer links form 04")
        stop = call("POST", f"{api}/tickets", officer, 201, json={
            "service": "2.000815", "applicant": {"kind": "person", "name": "Đặng Thu Hà", "phone": "0903000111"}}).json()["receipt"]["code"]
        stopped = call("POST", f"{api}/tickets/{stop}/actions/withdraw", officer, 200,
                       json={"note": "Công dân xin rút hồ sơ để bổ sung giấy tờ"}).json()
        check(any(f["form"] == "05" for f in stopped["forms"]), "the stop's answer links form 05")

        papers = [(code, "01", A5, ["GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ", "Trần Văn Đức", "Lê Thị Hồng Nhung",
                                     "Giấy ủy quyền số 15/2026", "20 (hai mươi) ngày làm việc", "Quyển số 01, Số thứ tự 01",
                                     "Lệ phí", "100.000 đồng", receipt_number]),
                  (birth["receipt"]["code"], "02", A5, ["PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ", "Giấy chứng sinh (bản chính)", "Phạm Thị Ngọc Ánh",
                                                                  "Nguyễn Thị Lan", "0236 3822 101"]),
                  (refused["receipt"]["code"], "03", A5, ["PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ", "chưa đủ tuổi kết hôn"]),
                  (code, "04", A5, ["PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT", "ranh giới thửa đất"]),
                  (stop, "05", A5, ["THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ", "Đặng Thu Hà"]),
                  (code, "06", A4, ["PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ", "Bộ phận Một cửa"])]
        driver = checks.chromium(1280, 900)
        seals = {}
        for ticket, form, paper, texts in papers:
            html = call("GET", f"{api}/tickets/{ticket}/forms/{form}", officer, 200).text
            html_path = os.path.join(folder, f"form{form}.html")
            with open(html_path, "w", encoding="utf-8") as f:
                f.write(html)
            pdf = os.path.join(folder, f"form{form}.pdf")
            print_pdf(driver, html_path, pdf)
            pages, size = pdf_info(pdf)
            check(pages == 1, f"form {form}: one page, not {pages}")
            check(same_size(size, paper), f"form {form}: paper {size}, expected {paper}")
            text = subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout
            flat = " ".join(text.split())
            for expected in ["CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM", "Độc lập - Tự do - Hạnh phúc", "UBND QUẬN HẢI CHÂU",
                             "Đà Nẵng, ngày", ticket] + texts:
                check(expected.upper() in flat.upper(), f"form {form}: the PDF's text has '{expected}'")
            seal = htmllib.unescape(re.search(r'data-seal="([^"]+)"', html).group(1))
            png, scanned = qr_of(pdf, folder, f"form{form}")
            check(scanned == seal, f"form {form}: the QR decodes to the seal of the HTML ({scanned!r} vs {seal!r})")
            verdict = call("GET", f"{api}/public/verify", None, 200, params={"seal": scanned}).json()
            check(verdict["genuine"], f"form {form}: the scanned seal is genuine: {verdict}")
            seals[form] = (scanned, verdict)
            if args.png_dir:
                os.makedirs(args.png_dir, exist_ok=True)
                subprocess.run(["pdftoppm", "-r", "110", "-png", "-singlefile", pdf,
                                os.path.join(args.png_dir, f"form{form}")], check=True)
            print(f"form {form}: 1 page {'A5' if paper == A5 else 'A4'}, text intact, QR genuine ({verdict['number'] if 'number' in verdict else code})")

        # The receipt after the apology: genuine, not current (a new appointment was given); form 04 current.
        check(not seals["01"][1]["current"] and seals["04"][1]["current"], "after an apology the receipt is genuine but superseded, form 04 current")
        # One character of the appointment changed: refused.
        forged = seals["04"][0]
        fields = forged.split("|")
        fields[4] = fields[4][:-1] + ("1" if fields[4][-1] != "1" else "2")
        verdict = call("GET", f"{api}/public/verify", None, 200, params={"seal": "|".join(fields)}).json()
        check(not verdict["genuine"], f"a seal with a changed appointment is refused: {verdict}")
        call("GET", f"{api}/public/verify", None, 422, params={"seal": "not a seal"})
        keys = call("GET", f"{base}/.well-known/jwks.json", None, 200).json()["keys"]
        check(len(keys) == 1 and keys[0]["crv"] == "Ed25519" and seals["01"][0].split("|")[5] == keys[0]["kid"],
              "the signing key is published at /.well-known/jwks.json")

        # The tracking book, A4 landscape.
        books = call("GET", f"{api}/tracking-books", officer, 200).json()
        check(sorted(b["field"] for b in books) == ["Chứng thực", "Đất đai"], f"one book per field: {books}")
        html = call("GET", f"{api}/tracking-book", officer, 200, params={"field": "Đất đai"}).text
        html_path = os.path.join(folder, "form07.html")
        with open(html_path, "w", encoding="utf-8") as f:
            f.write(html)
        pdf = os.path.join(folder, "form07.pdf")
        print_pdf(driver, html_path, pdf)
        pages, size = pdf_info(pdf)
        check(pages == 1 and same_size(size, (A4[1], A4[0])), f"form 07: one A4 landscape page, not {pages} {size}")
        flat = " ".join(subprocess.run(["pdftotext", pdf, "-"], capture_output=True, text=True, check=True).stdout.split())
        for expected in ["SỔ THEO DÕI HỒ SƠ", "Đất đai", code, "Trần Văn Đức"]:
            check(expected in flat, f"form 07: the PDF's text has '{expected}'")
        if args.png_dir:
            subprocess.run(["pdftoppm", "-r", "80", "-png", "-singlefile", pdf, os.path.join(args.png_dir, "form07")], check=True)
        csv = call("GET", f"{api}/tracking-book", officer, 200, params={"field": "Đất đai"}, headers={"Accept": "text/csv"}).text
        check(code in csv and "Trần Văn Đức" in csv, "the book as CSV")
        print("form 07: 1 page A4 landscape, text intact, CSV")

        # A restart: the reprint shows the same number; a rotation keeps old papers genuine.
        check(daemon.stop() == 0, "deskd stops cleanly")
        daemon = Deskd(args.deskd, database, os.path.join(folder, "deskd.out"), env={"DESK_LOG_LEVEL": "warning"})
        api = daemon.base + "/api/v1"
        again = call("GET", f"{api}/tickets/{code}/forms/01", officer, 200).text
        check(f"Số: {receipt_number}" in again, f"after a restart form 01 is reprinted as number {receipt_number}")
        call("POST", f"{api}/centre/signing-key/rotate", admin, 200)
        verdict = call("GET", f"{api}/public/verify", None, 200, params={"seal": seals["04"][0]}).json()
        check(verdict["genuine"] and verdict["current"], f"after a key rotation a paper signed before still verifies: {verdict}")
        print(f"forms in Chromium: {checks.count} checks passed")
    finally:
        if driver:
            driver.quit()
        daemon.stop()
        if sys.exc_info()[0] is None:
            shutil.rmtree(folder, ignore_errors=True)
        else:
            print(f"the daemon's database and output are kept in {folder}", file=sys.stderr)


if __name__ == "__main__":
    main()
