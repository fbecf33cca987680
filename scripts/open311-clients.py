#!/usr/bin/env python3
"""Published Open311 clients against a fresh deskd (issue 6, docs/open311.md).

Starts the given deskd binary on a free loopback port with a temporary database and the demo
centre, creates an Open311 key (a token of scope open311 of an integration member), then:

- georeport 0.3.1 (PyPI), as published, in JSON and in XML mode: lists services, reads the
  definitions, reads requests back (list, filters, one by id);
- the wire formats of the Python-2-only clients that cannot be imported on Python 3, sent with
  `requests` exactly as their code builds them: three 0.8.0 (form body with api_key and
  jurisdiction_id in it, multipart with a photo when one is attached — kept and served back)
  and open311 1.1 (api_key and jurisdiction_id in the query string, the rest in the body);
- every error path of the specification, with the exact codes and body shapes.

Exits non-zero on the first failure. Needs `pip install georeport==0.3.1` (requests, xmltodict).

    python3 scripts/open311-clients.py --deskd .build/debug/deskd
"""

import argparse
import os
import tempfile
from datetime import datetime, timedelta, timezone

import requests
import xmltodict
from georeport import GeoReport

import checks
from checks import check
from deskd_process import Deskd


def start(deskd, folder):
    daemon = Deskd(deskd, os.path.join(folder, "desk.sqlite"), os.path.join(folder, "deskd.out"),
                   env={"DESK_LOG_LEVEL": "warning"}, start_timeout=30)
    return daemon.process, daemon.base, daemon.admin_token()


def token(base, admin, username, role):
    """A new staff member with `role` and a token for them, through the REST API: an Open311 key
    (scope open311) for an integration member, an ordinary API token for anyone else."""
    headers = {"Authorization": f"Bearer {admin}"}
    r = requests.post(f"{base}/api/v1/staff", headers=headers, timeout=10, json={
        "username": username, "name": username, "role": role, "employment": "contract"})
    check(r.status_code == 201, f"create {role} staff: {r.status_code} {r.text}")
    r = requests.post(f"{base}/api/v1/staff/{username}/tokens", headers=headers, timeout=10,
                      json={"label": "open311", "scope": "open311" if role == "integration" else "api"})
    check(r.status_code == 201, f"create token: {r.status_code} {r.text}")
    return r.json()["token"]


def georeport_reads(root, posted_id):
    for fmt in ("json", "xml"):
        client = GeoReport(root + "/", jurisdiction="demo.gov.vn", output_format=fmt)
        services = client.get_service_list()
        codes = [s["service_code"] for s in services]
        check("PA-HATANG" in codes and "1.001193" in codes, f"{fmt}: service list {codes}")
        lamp = next(s for s in services if s["service_code"] == "PA-HATANG")
        check(str(lamp["metadata"]).lower() == "true" and lamp["type"] == "realtime", f"{fmt}: lamp service {lamp}")
        definition = client.get_service_definition("PA-HATANG")
        attributes = definition["attributes"]
        if fmt == "xml":
            attributes = attributes["attribute"]
        check([a["code"] for a in attributes] == ["loai", "nguy-hiem", "so-cot", "luu-y"], f"{fmt}: attributes {attributes}")
        plain = client.get_service_definition("1.001193")
        check(plain["service_code"] == "1.001193", f"{fmt}: definition without attributes {plain}")

        one = client.get_service_request(posted_id)
        check(one["service_request_id"] == posted_id and one["status"] == "open", f"{fmt}: one request {one}")
        check(one["service_code"] == "PA-HATANG" and one["agency_responsible"], f"{fmt}: request fields {one}")
        for field in ("requested_datetime", "expected_datetime", "updated_datetime"):
            parsed = datetime.fromisoformat(one[field])
            check(parsed.tzinfo is not None, f"{fmt}: {field} has a time zone: {one[field]}")

        now = datetime.now(timezone.utc)
        listed = client.get_service_requests(
            service_code="PA-HATANG", status="open",
            start_date=(now - timedelta(hours=1)).isoformat(timespec="milliseconds"),
            end_date=(now + timedelta(minutes=5)).isoformat(timespec="milliseconds"))
        if fmt == "xml" and isinstance(listed, dict):
            listed = [listed]
        check(any(r["service_request_id"] == posted_id for r in listed), f"{fmt}: filtered list {listed}")
        by_ids = client.get_service_requests(service_request_id=posted_id, status="closed")
        if fmt == "xml":
            by_ids = [by_ids] if isinstance(by_ids, dict) else by_ids
        check([r["service_request_id"] for r in by_ids] == [posted_id], f"{fmt}: ids override the status filter {by_ids}")
        try:
            client.get_service_definition("NOPE")
            check(False, f"{fmt}: unknown definition accepted")
        except requests.HTTPError as error:
            check(error.response.status_code == 404, f"{fmt}: unknown definition status {error.response.status_code}")


def errors_of(response, fmt):
    if fmt == "json":
        return [(e["code"], e["description"]) for e in response.json()]
    error = xmltodict.parse(response.content)["errors"]["error"]
    errors = error if isinstance(error, list) else [error]
    return [(int(e["code"]), e["description"]) for e in errors]


def error_paths(root, key, officer_key):
    located = {"service_code": "PA-HATANG", "lat": "21.0285", "long": "105.8048", "attribute[loai]": "den"}
    cases = [
        ({**located}, 403, "api_key is required"),
        ({**located, "api_key": ""}, 403, "api_key is required"),
        # Unknown and another role's key: one answer, nothing learnt about the key.
        ({**located, "api_key": "sd_wrong"}, 403, "api_key is not a valid Open311 key of this centre"),
        ({**located, "api_key": officer_key}, 403, "api_key is not a valid Open311 key of this centre"),
        ({"api_key": key, "lat": "1", "long": "2"}, 400, "service_code: is required"),
        ({"api_key": key, "service_code": "NOPE", "lat": "1", "long": "2"}, 404, "service 'NOPE' not found"),
        ({"api_key": key, "service_code": "PA-HATANG", "attribute[loai]": "den"}, 400, "location: is required"),
        ({"api_key": key, "service_code": "PA-HATANG", "lat": "21", "long": "105"}, 400, "attribute[loai]: is required"),
        ({**located, "api_key": key, "attribute[loai]": "xyz"}, 400, "attribute[loai]: 'xyz' is not one of the keys"),
        ({**located, "api_key": key, "description": "a" * 4001}, 400, "description: must be at most 4000 characters"),
    ]
    for fmt in ("json", "xml"):
        for data, status, description in cases:
            r = requests.post(f"{root}/requests.{fmt}", data=data, timeout=10)
            check(r.status_code == status, f"{fmt} {sorted(data)}: status {r.status_code} {r.text}")
            errors = errors_of(r, fmt)
            check(len(errors) == 1 and errors[0][0] == status and errors[0][1].startswith(description),
                  f"{fmt} {sorted(data)}: errors {errors}")
        for path, status in (("requests/NOPE", 404), ("tokens/NOPE", 404), ("services/NOPE", 404)):
            r = requests.get(f"{root}/{path}.{fmt}", timeout=10)
            check(r.status_code == status and errors_of(r, fmt)[0][0] == status, f"{fmt} GET {path}: {r.status_code} {r.text}")
        r = requests.get(f"{root}/requests.{fmt}", params={"status": "pending"}, timeout=10)
        check(r.status_code == 400 and errors_of(r, fmt)[0][0] == 400, f"{fmt} bad status filter: {r.text}")
        r = requests.get(f"{root}/requests.{fmt}", params={"service_code": "NOPE"}, timeout=10)
        check(r.status_code == 404, f"{fmt} unknown service filter: {r.text}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--deskd", default=".build/debug/deskd")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        process, base, admin = start(arguments.deskd, folder)
        try:
            key = token(base, admin, "fms", "integration")
            officer = token(base, admin, "officer", "officer")
            root = f"{base}/open311/v2"

            # three 0.8.0: a form body with api_key and jurisdiction_id inside; name split in two.
            r = requests.post(f"{root}/requests.json", timeout=10, data={
                "api_key": key, "jurisdiction_id": "demo.gov.vn", "service_code": "PA-HATANG",
                "lat": "21.028511", "long": "105.804817", "address_string": "12 Hàng Bài, Hoàn Kiếm",
                "first_name": "Lan", "last_name": "Nguyễn", "description": "Đèn đường tắt\ncả dãy phố",
                "attribute[loai]": "den", "attribute[nguy-hiem][]": ["giao-thong", "dien"]})
            check(r.status_code == 200, f"three-style post: {r.status_code} {r.text}")
            created = r.json()
            check(isinstance(created, list) and len(created) == 1 and "token" not in created[0], f"post answer {created}")
            posted = created[0]["service_request_id"]
            check(isinstance(posted, str) and posted, f"service_request_id {posted!r}")

            # three with a photo attached: multipart with a `media` file part; kept and linked as media_url.
            photo = b"\xff\xd8\xff\xe0" + bytes(range(256)) * 40
            r = requests.post(f"{root}/requests.json", timeout=10,
                              data={"api_key": key, "service_code": "PA-HATANG", "lat": "21", "long": "105", "attribute[loai]": "den"},
                              files={"media": ("photo.jpg", photo, "image/jpeg")})
            check(r.status_code == 200, f"multipart photo: {r.text}")
            with_photo = r.json()[0]["service_request_id"]
            link = requests.get(f"{root}/requests/{with_photo}.json", timeout=10).json()[0]["media_url"]
            r = requests.get(link, timeout=10)
            check(r.status_code == 200 and r.content == photo and r.headers["Content-Type"] == "image/jpeg", f"photo served at {link}")
            # A file that is not an image is refused with the error list.
            r = requests.post(f"{root}/requests.json", timeout=10,
                              data={"api_key": key, "service_code": "PA-HATANG", "lat": "21", "long": "105", "attribute[loai]": "den"},
                              files={"media": ("page.html", b"<html><script>alert(1)</script>", "image/jpeg")})
            check(r.status_code == 400 and "send other media as media_url" in r.json()[0]["description"], f"non-image file: {r.text}")

            # open311 1.1: api_key and jurisdiction_id in the query string, the rest in the body; XML answer.
            r = requests.post(f"{root}/requests.xml", params={"api_key": key, "jurisdiction_id": "demo.gov.vn"}, timeout=10,
                              data={"service_code": "HD-TTHC", "address_id": "HK-0012", "email": "minh@example.vn",
                                    "description": "Hỏi thủ tục đăng ký tạm trú"})
            check(r.status_code == 200 and r.headers["Content-Type"] == "text/xml; charset=utf-8", f"open311-style post: {r.text}")
            answer = xmltodict.parse(r.content)["service_requests"]["request"]
            check(answer["service_request_id"] and answer["service_notice"], f"xml post answer {answer}")
            r = requests.get(f"{root}/tokens/{answer['service_request_id']}.json", timeout=10)
            check(r.json() == [{"service_request_id": answer["service_request_id"], "token": answer["service_request_id"]}], r.text)

            georeport_reads(root, posted)
            error_paths(root, key, officer)
        finally:
            process.terminate()
            process.wait(timeout=10)
    print(f"open311 clients: {checks.count} checks passed (georeport 0.3.1 in JSON and XML, three/open311 wire formats, error paths)")


if __name__ == "__main__":
    main()
