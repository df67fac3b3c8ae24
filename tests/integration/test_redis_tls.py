"""The whole system on a Redis that speaks only TLS, as a bank's does: REDIS_URL is rediss:// with the bank's
CA and the client certificate in its query. The handoff API, the action server, Rasa's tracker and lock stores
and its answered turns all reach it; nothing is left on a plain connection (that Redis has no plain port), and
no client gets in without the certificate.

This test runs its own TLS-only redis-server (a CA and a client certificate made here for 127.0.0.1) and its
own system.
"""

from __future__ import annotations

import asyncio
import datetime
import ipaddress
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import redis
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.integration.system import RunningSystem, running_system
from tests.integration.test_skeleton_flow import PLATINUM_CUSTOMER, open_socket, say, start_session
from tests.redis_server import RedisServer

pytestmark = pytest.mark.integration


def _certificate(
    directory: Path, name: str, issuer: tuple[x509.Certificate, ec.EllipticCurvePrivateKey] | None = None
) -> tuple[x509.Certificate, ec.EllipticCurvePrivateKey, Path, Path]:
    """A certificate for 127.0.0.1 and its key, in `name`.crt and `name`.key: self-signed and a CA, or
    signed by `issuer`."""
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"127.0.0.1 {name}")])
    signer_name, signer_key = (issuer[0].subject, issuer[1]) if issuer else (subject, key)
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(signer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False
        )
        .add_extension(x509.BasicConstraints(ca=issuer is None, path_length=None), critical=True)
        .sign(signer_key, hashes.SHA256())
    )
    cert_path, key_path = directory / f"{name}.crt", directory / f"{name}.key"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return certificate, key, cert_path, key_path


@pytest.fixture(scope="module")
def tls_redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    directory = tmp_path_factory.mktemp("tls-redis")
    ca, ca_key, ca_path, ca_key_path = _certificate(directory, "redis")
    *_, client_path, client_key_path = _certificate(directory, "client", issuer=(ca, ca_key))
    server = RedisServer(
        directory,
        options=("--save", "", "--appendonly", "no"),
        tls=(ca_path, ca_key_path),
        client_certificate=(client_path, client_key_path),
    )
    server.start()
    try:
        asyncio.run(server.wait_ready())
        yield server.url
    finally:
        server.kill()


@pytest.fixture(scope="module")
def tls_system(tls_redis_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningSystem]:
    with running_system(tmp_path_factory.mktemp("tls-system"), {"REDIS_URL": tls_redis_url}) as running:
        yield running


def test_the_tls_redis_refuses_a_plain_connection(tls_redis_url: str) -> None:
    plain = redis.Redis.from_url(
        tls_redis_url.replace("rediss://", "redis://").split("?")[0], socket_timeout=5
    )
    with pytest.raises(redis.ConnectionError):
        plain.ping()


def test_the_tls_redis_refuses_a_client_without_its_certificate(tls_redis_url: str) -> None:
    assert redis.Redis.from_url(tls_redis_url, socket_timeout=5).ping()
    without = redis.Redis.from_url(tls_redis_url.split("&ssl_certfile=")[0], socket_timeout=5)
    with pytest.raises(redis.ConnectionError):
        without.ping()


async def test_a_turn_with_an_action_runs_with_every_store_on_tls(
    tls_system: RunningSystem, tls_redis_url: str
) -> None:
    async with httpx.AsyncClient(base_url=tls_system.api_url, timeout=60) as api:
        session = await start_session(api, PLATINUM_CUSTOMER)
        async with open_socket(tls_system, session) as socket:
            await say(api, session, "帮我查一下我的信用卡还有多少可用额度")
            reply = await socket.next_message("bot")

    assert "128800" in reply["text"].replace(",", ""), reply
    stored = redis.Redis.from_url(tls_redis_url, decode_responses=True)
    # Rasa's tracker and the turn's recorded answer are in the TLS Redis: the tracker store did not fall
    # back to memory, as Rasa's fail-safe store would on a connection it could not make.
    prefix = tls_system.rasa_prefix
    assert stored.exists(f"{prefix}:tracker:{session.conversation_id}")
    assert stored.exists(f"{prefix}:answered_turn:{session.conversation_id}")
    assert 0 < stored.ttl(f"{prefix}:tracker:{session.conversation_id}")
    assert stored.keys(f"{tls_system.key_prefix}*")  # the handoff API's own keys
    stored.close()
