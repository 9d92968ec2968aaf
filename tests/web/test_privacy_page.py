"""/confidentialite: what is recorded, why, for how long (the settings' periods), the member's rights."""

from __future__ import annotations

import html as html_module
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from bot.privacy.notice import widget_sentence
from bot.settings import Settings
from bot.web.app import create_app
from tests.support.db import migrated_memory_engine


def client(**values: str) -> Iterator[TestClient]:
    settings = Settings.from_values(values)
    with TestClient(create_app(settings, migrated_memory_engine()), base_url="http://127.0.0.1:8080") as web:
        yield web


@pytest.fixture
def web() -> Iterator[TestClient]:
    yield from client(
        RETENTION_CONVERSATIONS_DAYS="45", RETENTION_AUDIT_DAYS="730", ACS_CONTACT_PHONE="01 23 45 67 89"
    )


def text_of(web: TestClient, path: str) -> str:
    page = web.get(path)
    assert page.status_code == 200
    return html_module.unescape(page.text).replace("\u00a0", " ")


def test_the_page_gives_each_period_from_the_settings(web: TestClient) -> None:
    text = text_of(web, "/confidentialite")
    assert "Vos données avec Sésame" in text
    assert "45 jours après votre dernier message" in text
    assert "90 jours après votre demande" in text  # RETENTION_HANDOFFS_DAYS' default
    assert "180 jours" in text and "1 an" in text and "2 ans" in text
    for who in ("formateurs", "conseillers ACS", "superviseurs ACS"):
        assert who in text


def test_without_a_privacy_contact_the_page_sends_members_to_acs_and_invents_nothing(web: TestClient) -> None:
    text = text_of(web, "/confidentialite")
    assert "Adressez-vous au service adhérents d'ACS au 01 23 45 67 89" in text
    assert "mailto:" not in text
    assert "CNIL" in text


def test_the_privacy_contact_is_a_mail_link() -> None:
    for web in client(PRIVACY_CONTACT="dpo@acs-assurances.example"):
        page = web.get("/confidentialite")
        assert 'href="mailto:dpo@acs-assurances.example"' in page.text


def test_the_demo_page_hands_the_period_and_the_page_to_the_widget(web: TestClient) -> None:
    page = web.get("/")
    assert 'data-retention-days="45"' in page.text
    assert 'data-privacy-url="/confidentialite"' in page.text
    assert widget_sentence(45) == (
        "Vos messages sont enregistrés pour vous répondre et améliorer l'assistant, "
        "puis effacés après 45 jours."
    )
