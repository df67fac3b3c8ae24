"""A private redis-server, for tests that kill Redis or need it set up unlike the shared one (persistence,
TLS only). Debian's, installed by scripts/setup.sh; its data and log in a directory of the test's own."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from redis.asyncio import Redis
from redis.exceptions import RedisError

from tests.integration.system import free_port
from tests.progress import wait_while_progressing

REDIS_SERVER = "/usr/bin/redis-server"


class RedisServer:
    def __init__(
        self,
        directory: Path,
        *,
        options: Sequence[str] = (),
        tls: tuple[Path, Path] | None = None,
        client_certificate: tuple[Path, Path] | None = None,
    ) -> None:
        """`options`: more redis-server options; `tls`: a certificate (its own CA) and its key, to listen
        on TLS only (no plain port), the URL then being rediss:// with that CA; `client_certificate`: one
        that CA signed and its key, which every client must then present (in the URL's query)."""
        self.directory = directory
        self.port = free_port()
        self.options = list(options)
        self.tls = tls
        self.client_certificate = client_certificate
        self.url = (
            f"rediss://127.0.0.1:{self.port}/0?ssl_ca_certs={tls[0]}"
            if tls
            else f"redis://127.0.0.1:{self.port}/0"
        )
        if tls and client_certificate:
            self.url += f"&ssl_certfile={client_certificate[0]}&ssl_keyfile={client_certificate[1]}"
        self.process: subprocess.Popen[bytes] | None = None

    def _listening(self) -> list[str]:
        if not self.tls:
            return ["--port", str(self.port)]
        cert, key = self.tls
        return [
            *("--port", "0", "--tls-port", str(self.port)),
            *("--tls-cert-file", str(cert), "--tls-key-file", str(key), "--tls-ca-cert-file", str(cert)),
            *("--tls-auth-clients", "yes" if self.client_certificate else "no"),
        ]

    def start(self) -> None:
        command = [REDIS_SERVER, "--bind", "127.0.0.1", *self._listening(), "--dir", str(self.directory)]
        with (self.directory / "redis.log").open("ab") as log:
            self.process = subprocess.Popen(
                [*command, *self.options, "--daemonize", "no"], stdout=log, stderr=subprocess.STDOUT
            )

    async def wait_ready(self) -> None:
        client = Redis.from_url(self.url)

        async def answers() -> bool:
            assert self.process is not None and self.process.poll() is None, "redis-server exited"
            try:
                return bool(await client.ping())
            except RedisError:
                return False  # not listening yet, or still loading the append-only file

        try:
            await wait_while_progressing(answers, bool, what="redis-server start-up")
        finally:
            await client.aclose()

    def kill(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
