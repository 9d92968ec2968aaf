"""A model is loaded by every Rasa replica in production mode, and a partial load is said."""

from __future__ import annotations

import json

import httpx

from bot.releases.loading import REPLICAS_VARIABLE, ask_to_load, load_url, load_urls
from bot.settings import Settings

SETTINGS = Settings.from_values({"RASA_PORT": "5005"})


def test_one_rasa_in_demo_mode_every_replica_in_production_mode() -> None:
    assert load_urls(SETTINGS, environ={}) == [load_url(SETTINGS)]
    replicas = {REPLICAS_VARIABLE: "http://127.0.0.1:5006,http://127.0.0.1:5007/"}
    assert load_urls(SETTINGS, environ=replicas) == [
        "http://127.0.0.1:5006/webhooks/modele/charger",
        "http://127.0.0.1:5007/webhooks/modele/charger",
    ]


def test_each_replica_is_asked_and_each_refusal_is_named() -> None:
    asked: list[tuple[str, object]] = []

    def rasa(request: httpx.Request) -> httpx.Response:
        asked.append((str(request.url), json.loads(request.content)["modele"]))
        if ":5007" in str(request.url):
            return httpx.Response(409, json={"error": "un chargement est déjà en cours"})
        return httpx.Response(200, json={"modele": "ok"})

    urls = load_urls(SETTINGS, environ={REPLICAS_VARIABLE: "http://127.0.0.1:5006,http://127.0.0.1:5007"})
    failures = ask_to_load(urls, "m-1.tar.gz", {}, httpx.MockTransport(rasa))
    assert [url for url, _ in asked] == urls
    assert {model for _, model in asked} == {"models/history/m-1.tar.gz"}
    assert failures == ["http://127.0.0.1:5007/webhooks/modele/charger : un chargement est déjà en cours"]
