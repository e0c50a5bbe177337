"""A real Open311 client (the PyPI package `georeport`) against a real server (`tinhso serve` on a
temporary SQLite): list services, read a definition, file a request and read it back, in JSON and
XML. `georeport` 0.3 has no call to create a request, so the POST goes through `requests` (the
library it is built on) exactly as the spec describes it: a form with `api_key`."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.test_counter_receipt import _free_port, _run, _wait_healthy

REPO = Path(__file__).resolve().parents[2]
TINHSO = Path(sys.executable).with_name("tinhso")


@pytest.fixture
def live_open311(tmp_path: Path) -> Iterator[tuple[str, str]]:
    env = {
        **os.environ,
        "TINHSO_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "TINHSO_ENV": "development",
        "DEBUG": "0",
    }
    env.pop("TEST_DATABASE_NAME", None)
    _run(["setup", "--verbosity", "0"], env)
    _run(["import", "agencies", str(REPO / "src/tinhso/data/agencies-phu-tho.csv")], env)
    created = subprocess.run([str(TINHSO), "apikey", "create", "ung-dung-thu", "--agency", "H44"], env=env, cwd=REPO,
                             capture_output=True, text=True, timeout=120)
    assert created.returncode == 0, created.stderr
    secret = created.stdout.strip()
    port = _free_port()
    log = open(tmp_path / "server.log", "w")  # noqa: SIM115 - closed in finally
    server = subprocess.Popen(
        [str(TINHSO), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env, cwd=REPO, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_healthy(base, server)
        yield f"{base}/open311/v2", secret
    finally:
        try:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)
        log.close()


def test_georeport_client_against_tinhso_serve(live_open311, conformance):
    import requests
    from georeport import GeoReport

    root, secret = live_open311
    for fmt in ("json", "xml"):
        client = GeoReport(root, output_format=fmt)
        services = client.get_service_list()
        names = {s["service_code"]: s["service_name"] for s in services}
        assert names["chieu-sang"] == "Chiếu sáng công cộng" and len(names) == 9
        definition = client.get_service_definition("chieu-sang")
        attributes = definition["attributes"] if fmt == "json" else definition["attributes"]["attribute"]
        assert [a["code"] for a in attributes] == ["is_public", "anonymous", "pole_number"]
    conformance.check("services", GeoReport(root).get_service_list())

    description = "Cột đèn số VT-0042 trên đường Hùng Vương không sáng từ tối qua."
    form = {"api_key": secret, "service_code": "chieu-sang", "lat": "21.3227", "long": "105.4020",
            "address_string": "Đường Hùng Vương, phường Việt Trì", "description": description,
            "first_name": "Văn An", "last_name": "Nguyễn", "phone": "0912345678", "attribute[pole_number]": "VT-0042"}
    response = requests.post(f"{root}/requests.json", data=form, timeout=30)
    assert response.status_code == 200, response.text
    request_id = conformance.check("post", response.json())[0]["service_request_id"]
    refused = requests.post(f"{root}/requests.json", data={**form, "api_key": "ts_sai"}, timeout=30)
    assert refused.status_code == 403 and conformance.check("errors", refused.json())[0]["code"] == 403

    json_client, xml_client = GeoReport(root), GeoReport(root, output_format="xml")
    one = json_client.get_service_request(request_id)
    conformance.check("requests", [one])
    assert one["description"] == description and one["status"] == "open"
    assert one["expected_datetime"].endswith("+07:00")
    assert "0912345678" not in str(one)
    as_xml = xml_client.get_service_request(request_id)
    assert as_xml["service_request_id"] == request_id and as_xml["description"] == description
    listed = json_client.get_service_requests(service_code="chieu-sang", status="open")
    assert [r["service_request_id"] for r in conformance.check("requests", listed)] == [request_id]
    assert xml_client.get_service_requests(service_request_id=request_id)["service_code"] == "chieu-sang"
