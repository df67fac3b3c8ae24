"""Rasa's Redis settings taken from the one REDIS_URL, TLS included."""

from __future__ import annotations

import pytest

from bot.redis_endpoint import endpoint_settings, store_options


def test_a_plain_url_gives_host_port_and_db() -> None:
    assert endpoint_settings("redis://10.0.0.5:6380/3") == {
        "REDIS_HOST": "10.0.0.5",
        "REDIS_PORT": "6380",
        "REDIS_DB": "3",
        "REDIS_USERNAME": "",
        "REDIS_PASSWORD": "",
        "REDIS_USE_SSL": "false",
        "REDIS_SSL_CA_CERTS": "",
        "REDIS_SSL_CERTFILE": "",
        "REDIS_SSL_KEYFILE": "",
    }


def test_a_tls_url_gives_its_login_and_files() -> None:
    settings = endpoint_settings(
        "rediss://rasa%40bank:p%3Ass%2Fw@redis.bank.internal/?ssl_ca_certs=/etc/bank/ca.pem"
        "&ssl_certfile=/etc/bank/rasa.crt&ssl_keyfile=/etc/bank/rasa.key"
    )

    assert settings["REDIS_USE_SSL"] == "true"
    assert (settings["REDIS_HOST"], settings["REDIS_PORT"], settings["REDIS_DB"]) == (
        "redis.bank.internal",
        "6379",
        "0",
    )
    assert (settings["REDIS_USERNAME"], settings["REDIS_PASSWORD"]) == ("rasa@bank", "p:ss/w")
    assert settings["REDIS_SSL_CA_CERTS"] == "/etc/bank/ca.pem"
    assert settings["REDIS_SSL_CERTFILE"] == "/etc/bank/rasa.crt"
    assert settings["REDIS_SSL_KEYFILE"] == "/etc/bank/rasa.key"


def test_anything_but_a_redis_url_is_refused() -> None:
    with pytest.raises(ValueError, match="redis:// or rediss://"):
        endpoint_settings("http://127.0.0.1:6379/0")


def test_the_stores_get_typed_options_from_endpoints_strings() -> None:
    assert store_options({"use_ssl": "false", "password": "", "ssl_ca_certs": ""}) == {
        "username": None,
        "password": None,
        "use_ssl": False,
        "ssl_ca_certs": None,
        "ssl_certfile": None,
        "ssl_keyfile": None,
    }
    options = store_options(
        {"use_ssl": "true", "username": "rasa", "password": "s", "ssl_ca_certs": "/ca.pem"}
    )
    assert options["use_ssl"] is True
    assert (options["username"], options["password"], options["ssl_ca_certs"]) == ("rasa", "s", "/ca.pem")
    assert store_options({"use_ssl": True})["use_ssl"] is True  # written in endpoints.yml as YAML's true
