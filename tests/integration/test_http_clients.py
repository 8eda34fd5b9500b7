# SPDX-License-Identifier: Apache-2.0
"""The real HTTP clients over ZeroTier (libzt.http): httpx (sync; async on asyncio and trio) and
requests, GET and POST against the stdlib's http.server on the peer node, plain and HTTPS."""
from __future__ import annotations

import asyncio
import hashlib
import random
import ssl
from typing import Any, Dict

import pytest

from support.sockets_pair import Pair

httpx = pytest.importorskip("httpx")  # the "http" extra; scripts/bootstrap installs it
requests = pytest.importorskip("requests")
trustme = pytest.importorskip("trustme")

from libzt.http import AsyncHTTPTransport, HTTPTransport, ZeroTierAdapter  # noqa: E402

ROOT_PORT = 39977
HOSTNAME = "web.zt.test"
TIMEOUT = 60.0
BODY = random.Random(3).randbytes(300_000)


@pytest.fixture(scope="module")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="module")
def web(zt_pair: Pair, ca: Any, tmp_path_factory: pytest.TempPathFactory) -> Dict[str, Any]:
    """The peer's http.server, plain and HTTPS, and how to reach it by name."""
    where = tmp_path_factory.mktemp("web")
    cert = ca.issue_cert(HOSTNAME)
    certfile, keyfile, cafile = where / "cert.pem", where / "key.pem", where / "ca.pem"
    cert.private_key_and_cert_chain_pem.write_to_path(str(certfile))
    cert.private_key_pem.write_to_path(str(keyfile))
    ca.cert_pem.write_to_path(str(cafile))
    plain = zt_pair.peer.call("http_server")["port"]
    secure = zt_pair.peer.call("http_server", certfile=str(certfile), keyfile=str(keyfile))["port"]
    return {"http": f"http://{zt_pair.address(4)}:{plain}", "https": f"https://{HOSTNAME}:{secure}",
            "hosts": {HOSTNAME: zt_pair.address(4)}, "cafile": str(cafile), "secure_port": secure}


def check_post(answer: Any) -> None:
    assert answer.status_code == 200
    assert answer.json() == {"length": len(BODY), "sha256": hashlib.sha256(BODY).hexdigest()}


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_httpx_sync(web: Dict[str, Any], scheme: str) -> None:
    transport = HTTPTransport(hosts=web["hosts"], verify=ssl.create_default_context(cafile=web["cafile"]))
    with httpx.Client(transport=transport, timeout=TIMEOUT) as client:
        for i in range(3):  # the same pooled connection, kept alive
            answer = client.get(f"{web[scheme]}/page/{i}")
            assert answer.status_code == 200 and answer.text == f"hello /page/{i}"
        check_post(client.post(f"{web[scheme]}/upload", content=BODY))


@pytest.mark.parametrize("library", ["asyncio", "trio"])
@pytest.mark.parametrize("scheme", ["http", "https"])
def test_httpx_async(web: Dict[str, Any], scheme: str, library: str) -> None:
    async def main() -> None:
        transport = AsyncHTTPTransport(hosts=web["hosts"], verify=ssl.create_default_context(cafile=web["cafile"]))
        async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT) as client:
            answers = [await client.get(f"{web[scheme]}/page/{i}") for i in range(3)]
            assert [a.text for a in answers] == [f"hello /page/{i}" for i in range(3)]
            check_post(await client.post(f"{web[scheme]}/upload", content=BODY))

    if library == "trio":
        trio = pytest.importorskip("trio")
        trio.run(main)
    else:
        asyncio.run(main())


def test_httpx_refuses_the_wrong_hostname(web: Dict[str, Any]) -> None:
    transport = HTTPTransport(hosts={"other.zt.test": web["hosts"][HOSTNAME]},
                              verify=ssl.create_default_context(cafile=web["cafile"]))
    with httpx.Client(transport=transport, timeout=TIMEOUT) as client, \
            pytest.raises(httpx.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
        client.get(f"https://other.zt.test:{web['secure_port']}/")


@pytest.mark.parametrize("scheme", ["http", "https"])
def test_requests(web: Dict[str, Any], scheme: str) -> None:
    with requests.Session() as session:
        session.trust_env = False
        adapter = ZeroTierAdapter(hosts=web["hosts"])
        session.mount("http://", adapter)
        session.mount("https://", adapter)
        for i in range(3):
            answer = session.get(f"{web[scheme]}/page/{i}", timeout=TIMEOUT, verify=web["cafile"])
            assert answer.status_code == 200 and answer.text == f"hello /page/{i}"
        check_post(session.post(f"{web[scheme]}/upload", data=BODY, timeout=TIMEOUT, verify=web["cafile"]))


def test_requests_refuses_an_untrusted_certificate(web: Dict[str, Any]) -> None:
    with requests.Session() as session:
        session.trust_env = False
        session.mount("https://", ZeroTierAdapter(hosts=web["hosts"]))
        with pytest.raises(requests.exceptions.SSLError, match="CERTIFICATE_VERIFY_FAILED"):
            session.get(f"{web['https']}/", timeout=TIMEOUT)  # the system's CAs do not know ours
