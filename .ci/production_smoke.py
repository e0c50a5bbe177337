#!/usr/bin/env python3
"""Production install smoke test: fetch every page of the README's table of places from a
running `tinhso serve`, as a browser behind the reverse proxy would see them.

Standard library only. Every request carries what the proxy sends (`Host`, `X-Forwarded-Proto:
https`, `X-Forwarded-For`) unless the check is about a plain-HTTP request. One line per URL
with its status; the first unexpected answer stops the run with a message and exit 1.

    production_smoke.py --base-url http://127.0.0.1:8123 --host motcua.example.gov.vn \
        --username ci-admin --password … [--server-pid PID]

`.ci/run` (step "production install smoke test") starts the server, creates the superuser and
stops the server; this script only talks HTTP.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from html.parser import HTMLParser

TIMEOUT = 20  # seconds, every request
HEALTH_WAIT = 60  # seconds for the server to come up
LOGIN = "/dang-nhap/"


@dataclass(frozen=True)
class Expect:
    """What a path must answer: its status (200 unless said) and, for a redirect, where to."""

    path: str
    status: int = 200
    location: str | None = None  # path (and query) the redirect must point at


def login_redirect(path: str) -> Expect:
    return Expect(path, 302, f"{LOGIN}?next={urllib.parse.quote(path, safe='/')}")


# Not signed in. Officers' pages send you to the sign-in page with ?next=.
ANONYMOUS = [
    Expect("/", 302, "/tra-cuu/"),
    login_redirect("/ho-so/"),
    login_redirect("/tiep-nhan/"),
    Expect("/tra-cuu/"),
    Expect("/dich-vu-cong/"),
    Expect("/dich-vu-cong/?q=khai+sinh"),
    Expect("/dich-vu-cong/1.001193/"),  # the sample catalogue's birth registration (`tinhso setup`)
    Expect("/cong-dan/dang-nhap/"),
    login_redirect("/dieu-hanh/"),
    Expect("/dieu-hanh/cong-khai/"),
    Expect("/phan-anh/"),
    Expect("/phan-anh/gui/"),
    login_redirect("/phan-anh/xu-ly/"),
    login_redirect("/phan-anh/tong-dai/"),
    login_redirect("/phan-anh/tong-quan/"),
    Expect("/open311/v2/discovery.json"),
    Expect("/open311/v2/discovery.xml"),
    Expect("/open311/v2/services.json"),
    Expect("/open311/v2/services.xml"),
    Expect("/api/v1/docs"),
    Expect("/api/v1/openapi.json"),
    Expect("/api/v1/health"),
    Expect("/admin/", 302, "/admin/login/?next=/admin/"),
    Expect("/admin/login/"),
    Expect(LOGIN),
    Expect("/khong-co-trang-nay/", 404),  # the not-found page renders (no 500)
]

# Signed in as the superuser: every officer's page and the admin answer 200.
STAFF = [
    Expect("/", 302, "/ho-so/"),
    Expect(LOGIN, 302, "/ho-so/"),
    Expect("/ho-so/"),
    Expect("/tiep-nhan/"),
    Expect("/dieu-hanh/"),
    Expect("/dieu-hanh/?wall=1"),
    Expect("/phan-anh/xu-ly/"),
    Expect("/phan-anh/tong-dai/"),
    Expect("/phan-anh/tong-quan/"),
    Expect("/admin/"),
]


class Failure(Exception):
    pass


class NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects are answers to check, not to follow."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: ANN001
        return None


class PageAssets(HTMLParser):
    """`<link href>`, `<script src>` and the `csrfmiddlewaretoken` of an HTML page."""

    def __init__(self) -> None:
        super().__init__()
        self.assets: list[str] = []
        self.csrf_token: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        url = a.get("href") if tag == "link" else a.get("src") if tag == "script" else None
        if url and url.startswith("/static/"):
            self.assets.append(url)
        if tag == "input" and a.get("name") == "csrfmiddlewaretoken":
            self.csrf_token = a.get("value")


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("content-type", "")


class Client:
    def __init__(self, base_url: str, host: str) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = host
        # The proxy terminates TLS; the hop to tinhso is plain HTTP on loopback, so the cookies
        # the app marks Secure (session, CSRF) must still be sent back over http://.
        self.cookies = http.cookiejar.CookieJar(
            http.cookiejar.DefaultCookiePolicy(secure_protocols=("https", "wss", "http"))
        )
        self.opener = urllib.request.build_opener(NoRedirect(), urllib.request.HTTPCookieProcessor(self.cookies))

    def proxy_headers(self) -> dict[str, str]:
        return {"Host": self.host, "X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}

    def fetch(self, path: str, *, headers: dict[str, str] | None = None, data: bytes | None = None) -> Answer:
        sent = self.proxy_headers() if headers is None else headers
        req = urllib.request.Request(self.base_url + path, data=data, headers=sent)
        try:
            with self.opener.open(req, timeout=TIMEOUT) as resp:
                return Answer(resp.status, {k.lower(): v for k, v in resp.headers.items()}, resp.read())
        except urllib.error.HTTPError as exc:  # 3xx (not followed), 4xx, 5xx
            with exc:
                return Answer(exc.code, {k.lower(): v for k, v in exc.headers.items()}, exc.read())

    def cookie(self, name: str) -> str | None:
        return next((c.value for c in self.cookies if c.name == name), None)


class PageText(HTMLParser):
    """The text a reader sees in an HTML page's body (no head, scripts or styles)."""

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.skip = 0
        self.in_body = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.in_body = self.in_body or tag == "body"
        self.skip += tag in {"script", "style", "head"}

    def handle_endtag(self, tag: str) -> None:
        self.skip -= tag in {"script", "style", "head"} and self.skip > 0

    def handle_data(self, data: str) -> None:
        if self.in_body and not self.skip:
            self.parts.append(data)


def describe(answer: Answer) -> str:
    """Status, type and the start of the body (for HTML, its visible text)."""
    text = answer.body.decode("utf-8", "replace")
    if "text/html" in answer.content_type:
        page = PageText()
        page.feed(text)
        text = " ".join(" ".join(page.parts).split())
    text = text.strip()[:500]
    return f"HTTP {answer.status}, {answer.content_type or 'no content type'}" + (f"\n--- body ---\n{text}" if text else "")


def check(client: Client, expect: Expect, assets: set[str]) -> Answer:
    answer = client.fetch(expect.path)
    location = answer.headers.get("location")
    print(f"{answer.status} {expect.path}" + (f" -> {location}" if location else ""), flush=True)
    if answer.status != expect.status:
        raise Failure(f"{expect.path}: expected {expect.status}"
                      + (f" to {expect.location}" if expect.location else "") + f", got {describe(answer)}")
    if expect.location is not None:
        got = urllib.parse.urlsplit(urllib.parse.urljoin(f"https://{client.host}{expect.path}", location or ""))
        want = urllib.parse.urlsplit(urllib.parse.urljoin(f"https://{client.host}/", expect.location))
        if (got.scheme, got.netloc, got.path, got.query) != (want.scheme, want.netloc, want.path, want.query):
            raise Failure(f"{expect.path}: expected a redirect to {expect.location}, got Location: {location}")
    if answer.status == 200 and "text/html" in answer.content_type:
        parser = PageAssets()
        parser.feed(answer.body.decode("utf-8", "replace"))
        assets.update(parser.assets)
    return answer


def server_alive(pid: int | None) -> bool:
    """False once the server process has exited (gone, or a zombie its parent has not reaped)."""
    if pid is None:
        return True
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] not in {"Z", "X"}
    except FileNotFoundError:
        return False
    except OSError:  # no /proc: cannot tell, keep waiting
        return True


def wait_for_health(client: Client, server_pid: int | None) -> None:
    deadline = time.monotonic() + HEALTH_WAIT
    last = "no answer yet"
    while time.monotonic() < deadline:
        if not server_alive(server_pid):
            raise Failure(f"the server (pid {server_pid}) exited before /api/v1/health answered (last: {last})")
        try:
            answer = client.fetch("/api/v1/health")
            if answer.status == 200:
                print(f"server is up ({answer.body[:200].decode('utf-8', 'replace')})", flush=True)
                return
            last = describe(answer)
        except (OSError, urllib.error.URLError) as exc:
            last = repr(exc)
        time.sleep(0.5)
    raise Failure(f"/api/v1/health did not answer 200 within {HEALTH_WAIT} s (last: {last})")


def check_https_redirect(client: Client) -> None:
    """A plain-HTTP request (no X-Forwarded-Proto) is sent to https:// with 301."""
    answer = client.fetch("/tra-cuu/", headers={"Host": client.host, "X-Forwarded-For": "203.0.113.7"})
    location = answer.headers.get("location", "")
    print(f"{answer.status} /tra-cuu/ (plain HTTP)" + (f" -> {location}" if location else ""), flush=True)
    want = f"https://{client.host}/tra-cuu/"
    if answer.status != 301 or location != want:
        raise Failure(f"plain HTTP /tra-cuu/: expected 301 to {want}, got {describe(answer)} Location: {location!r}")


def check_hsts(client: Client) -> None:
    answer = client.fetch("/tra-cuu/")
    hsts = answer.headers.get("strict-transport-security", "")
    print(f"{answer.status} /tra-cuu/ Strict-Transport-Security: {hsts or '(none)'}", flush=True)
    if "max-age=" not in hsts:
        raise Failure("/tra-cuu/ over https: no Strict-Transport-Security header")


CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+?)['"]?\s*\)""")


def check_assets(client: Client, assets: set[str]) -> int:
    """Every asset the pages name answers 200, and so does every file a stylesheet names in
    `url(...)` (Leaflet's marker and layer images)."""
    if not assets:
        raise Failure("the pages fetched reference no /static/ asset: the HTML parsing is broken")
    todo, seen = sorted(assets), set()
    while todo:
        path = todo.pop(0)
        if path in seen:
            continue
        seen.add(path)
        answer = client.fetch(path)
        print(f"{answer.status} {path}", flush=True)
        if answer.status != 200 or not answer.body:
            raise Failure(f"{path} (a static asset named by a page): expected 200 with a body, got {describe(answer)}")
        if urllib.parse.urlsplit(path).path.endswith(".css"):
            for ref in CSS_URL.findall(answer.body.decode("utf-8", "replace")):
                if ref.startswith(("data:", "#", "http:", "https:", "//")):
                    continue
                url = urllib.parse.urljoin(path, ref)
                if url.startswith("/static/"):
                    todo.append(url.split("#")[0])
    return len(seen)


def sign_in(client: Client, username: str, password: str) -> None:
    form = client.fetch(LOGIN)
    print(f"{form.status} {LOGIN} (sign-in form)", flush=True)
    if form.status != 200:
        raise Failure(f"{LOGIN}: expected 200, got {describe(form)}")
    parser = PageAssets()
    parser.feed(form.body.decode("utf-8", "replace"))
    if not parser.csrf_token:
        raise Failure(f"{LOGIN}: the form has no csrfmiddlewaretoken")
    if not client.cookie("csrftoken"):
        raise Failure(f"{LOGIN}: no csrftoken cookie was set (Set-Cookie: {form.headers.get('set-cookie')!r})")
    origin = f"https://{client.host}"
    body = urllib.parse.urlencode({
        "csrfmiddlewaretoken": parser.csrf_token, "username": username, "password": password, "next": "",
    }).encode()
    answer = client.fetch(LOGIN, data=body, headers={
        **client.proxy_headers(),
        "Content-Type": "application/x-www-form-urlencoded",
        "Origin": origin,
        "Referer": f"{origin}{LOGIN}",
    })
    location = answer.headers.get("location", "")
    print(f"{answer.status} POST {LOGIN}" + (f" -> {location}" if location else ""), flush=True)
    if answer.status != 302 or urllib.parse.urlsplit(location).path != "/ho-so/":
        raise Failure(f"POST {LOGIN} as {username!r}: expected 302 to /ho-so/, got {describe(answer)}")
    if not client.cookie("sessionid"):
        raise Failure(f"POST {LOGIN}: signed in but no sessionid cookie was set")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base-url", required=True, help="where tinhso serve listens, e.g. http://127.0.0.1:8123")
    parser.add_argument("--host", required=True, help="the public host name the proxy sends as Host")
    parser.add_argument("--username", required=True)
    parser.add_argument("--password", required=True)
    parser.add_argument("--server-pid", type=int, help="the server's pid: stop waiting if it exits")
    args = parser.parse_args()

    client = Client(args.base_url, args.host)
    assets: set[str] = set()
    try:
        wait_for_health(client, args.server_pid)
        check_https_redirect(client)
        check_hsts(client)
        print("-- not signed in", flush=True)
        for expect in ANONYMOUS:
            check(client, expect, assets)
        print(f"-- signed in as {args.username}", flush=True)
        sign_in(client, args.username, args.password)
        for expect in STAFF:
            check(client, expect, assets)
        print(f"-- {len(assets)} static assets named by those pages", flush=True)
        fetched = check_assets(client, assets)
    except Failure as exc:
        print(f"\nPRODUCTION SMOKE TEST FAILED: {exc}", file=sys.stderr, flush=True)
        return 1
    print(f"production smoke test passed: {len(ANONYMOUS) + len(STAFF)} pages, {len(assets)} assets they name"
          f" and {fetched - len(assets)} more their stylesheets name", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
