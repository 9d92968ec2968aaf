"""The agents' console through the FastAPI app: sign-in, sessions, every API action and its guards.

The database is real (SQLite and PostgreSQL, migrated); an ``httpx.MockTransport``
stands in for the Rasa server's agents' channel and records what the web tier sent
it. The real Rasa answers in tests/e2e/test_console_stack.py, the real browser in
tests/browser/test_console.py.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, update

from bot.agents import accounts, devices
from bot.agents.sessions import IDLE_TIMEOUT
from bot.agents.throttle import FREE_FAILURES
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, ResetChannel
from bot.db.models import AgentAuditEntry, AgentSession, Member, OutgoingEmail, PostalLetter, ResetRequest
from bot.members.lookup import hash_nir
from bot.resets.wording import NO_EMAIL_ON_FILE
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.deps import COOKIE_NAME, NOT_SIGNED_IN, SUPERVISORS_ONLY, WRONG_ORIGIN
from bot.web.routes import console_push
from bot.web.routes.console_members import NOT_CONFIRMED
from bot.web.routes.console_pages import BAD_CREDENTIALS
from tests.support.nirs import with_key

PAGE = "http://127.0.0.1:8080"
SAME_ORIGIN = {"Origin": PAGE}
CHANNEL_TOKEN = "jeton-du-canal-console"  # noqa: S105 - a test value
KEY = "cle-de-test-des-nir"
PASSWORD = "Correct-cheval-agrafe-42"  # noqa: S105 - a test account
NIR_WITH_EMAIL = with_key("1850775123456")
NIR_WITHOUT_EMAIL = with_key("2920369123789")
UNKNOWN_NIR = with_key("1701213111222")


@dataclass
class FakeAgentChannel:
    """The Rasa server's ``/webhooks/agent/parse``, as far as the web tier can tell."""

    intents: list[dict[str, Any]] = field(
        default_factory=lambda: [
            {"name": "email_not_received", "confidence": 0.91},
            {"name": "forgot_access_code", "confidence": 0.05},
            {"name": "reset_link_not_working", "confidence": 0.02},
        ]
    )
    requests: list[httpx.Request] = field(default_factory=list)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return httpx.Response(200, json={"intents": self.intents})


def settings() -> Settings:
    return Settings.from_values(
        {"CHANNEL_TOKEN": CHANNEL_TOKEN, "NIR_HASH_KEY": KEY, "RESET_URL_BASE": f"{PAGE}/reinitialiser"}
    )


@pytest.fixture
def rasa() -> FakeAgentChannel:
    return FakeAgentChannel()


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        session.add_all(
            [
                Member(
                    nir_hash=hash_nir(NIR_WITH_EMAIL, KEY),
                    first_name="Alice",
                    last_name="Martin",
                    email="alice.martin@exemple.test",
                    street="1 rue des Tests",
                    postal_code="75001",
                    city="Paris",
                ),
                Member(
                    nir_hash=hash_nir(NIR_WITHOUT_EMAIL, KEY),
                    first_name="Bruno",
                    last_name="Petit",
                    email=None,
                    street="2 rue des Essais",
                    postal_code="69001",
                    city="Lyon",
                ),
            ]
        )
        accounts.add_agent(session, "claire", PASSWORD, actor="cli:test", display_name="Claire Dupont")
        accounts.add_agent(session, "sam", PASSWORD, actor="cli:test", role=AgentRole.SUPERVISEUR)
    return engine


@pytest.fixture
def web(db: Engine, rasa: FakeAgentChannel) -> Iterator[TestClient]:
    app = create_app(settings(), db, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app, base_url=PAGE) as client:
        yield client


def sign_in(client: TestClient, login: str = "claire", password: str = PASSWORD) -> httpx.Response:
    answer: httpx.Response = client.post(
        "/conseiller/connexion",
        data={"identifiant": login, "mot_de_passe": password},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    return answer


def audit_actions(
    engine: Engine, actor: str | None = None
) -> list[tuple[str, str, str | None, dict[str, Any]]]:
    with session_scope(engine) as session:
        query = select(AgentAuditEntry).order_by(AgentAuditEntry.id)
        if actor:
            query = query.where(AgentAuditEntry.actor == actor)
        return [(e.actor, e.action, e.nir_hash, dict(e.detail)) for e in session.scalars(query)]


def post(client: TestClient, path: str, body: dict[str, Any]) -> httpx.Response:
    answer: httpx.Response = client.post(f"/conseiller/api{path}", json=body, headers=SAME_ORIGIN)
    return answer


# --- sign-in -----------------------------------------------------------------------------


def test_the_console_asks_for_sign_in_first(web: TestClient) -> None:
    page = web.get("/conseiller/")
    assert page.status_code == 200
    assert "Connexion à la console des conseillers" in page.text
    assert 'autocomplete="current-password"' in page.text
    assert web.get("/conseiller", follow_redirects=False).headers["location"] == "/conseiller/"


def test_a_good_password_opens_a_strict_http_only_session(web: TestClient, db: Engine) -> None:
    answer = sign_in(web)
    assert answer.status_code == 303 and answer.headers["location"] == "/conseiller/"
    cookie = answer.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE_NAME}=")
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/;" in cookie
    assert "Secure" not in cookie  # served over plain HTTP here; see the HTTPS test below
    page = web.get("/conseiller/")
    assert "Dossier de l'adhérent" in page.text and "Claire Dupont" in page.text
    assert web.get("/conseiller/api/moi").json() == {
        "login": "claire",
        "nom": "Claire Dupont",
        "role": "conseiller",
    }
    assert audit_actions(db, "claire")[-1][1] == AgentAction.SIGN_IN


def test_the_cookie_is_secure_when_the_site_is_served_over_https(db: Engine) -> None:
    https = Settings.from_values(
        {"NIR_HASH_KEY": KEY, "RESET_URL_BASE": "https://sesame.acs.example/reinitialiser"}
    )
    with TestClient(create_app(https, db), base_url="https://sesame.acs.example") as client:
        answer = client.post(
            "/conseiller/connexion",
            data={"identifiant": "claire", "mot_de_passe": PASSWORD},
            headers={"Origin": "https://sesame.acs.example"},
            follow_redirects=False,
        )
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


@pytest.mark.parametrize(
    ("login", "password"),
    [
        ("claire", "mauvais-mot-de-passe"),
        ("personne", PASSWORD),
        ("", ""),
        ("CLAIRE", "Correct-cheval-agrafe-4"),
    ],
)
def test_every_failure_gets_the_same_answer(web: TestClient, db: Engine, login: str, password: str) -> None:
    answer = sign_in(web, login, password)
    assert answer.status_code == 401
    assert BAD_CREDENTIALS in answer.text
    assert COOKIE_NAME not in answer.headers.get("set-cookie", "")
    assert password not in answer.text or not password
    assert audit_actions(db)[-1][1] == AgentAction.SIGN_IN_FAILED


def test_the_login_is_case_insensitive(web: TestClient) -> None:
    assert sign_in(web, "  Claire ").status_code == 303


def test_a_disabled_account_cannot_sign_in_and_loses_its_open_session(web: TestClient, db: Engine) -> None:
    assert sign_in(web).status_code == 303
    assert web.get("/conseiller/api/moi").status_code == 200
    with session_scope(db) as session:
        accounts.disable_agent(session, "claire", actor="cli:test")
    assert web.get("/conseiller/api/moi").status_code == 401
    web.cookies.clear()
    answer = sign_in(web)
    assert answer.status_code == 401 and BAD_CREDENTIALS in answer.text


def test_failures_slow_the_login_from_that_address_even_with_the_right_password_afterwards(
    web: TestClient, db: Engine
) -> None:
    for _ in range(FREE_FAILURES):
        assert sign_in(web, "claire", "mauvais-mot-de-passe").status_code == 401
    blocked = sign_in(web, "claire", PASSWORD)
    assert blocked.status_code == 429
    assert "Trop de tentatives de connexion. Réessayez dans" in blocked.text
    assert int(blocked.headers["retry-after"]) > 0
    assert COOKIE_NAME not in blocked.headers.get("set-cookie", "")
    assert audit_actions(db)[-1][1] == AgentAction.SIGN_IN_LIMITED
    # Another agent behind the same address is not held back by Claire's failures.
    assert sign_in(web, "sam").status_code == 303


def test_an_outsiders_failures_do_not_lock_the_agent_out(web: TestClient) -> None:
    """Finding 5: 50 wrong passwords for « claire » from elsewhere; she signs in at once."""
    with TestClient(web.app, base_url=PAGE, client=("203.0.113.9", 50000)) as outsider:
        answers = [sign_in(outsider, "claire", "mauvais-mot-de-passe").status_code for _ in range(50)]
    assert answers[:FREE_FAILURES] == [401] * FREE_FAILURES and set(answers[FREE_FAILURES:]) == {429}
    with TestClient(web.app, base_url=PAGE, client=("198.51.100.7", 50000)) as call_centre:
        assert sign_in(call_centre, "claire").status_code == 303


def test_the_per_address_ceiling_is_the_setting_and_slows_that_address_only(
    db: Engine, rasa: FakeAgentChannel
) -> None:
    small = Settings.from_values({**settings().as_env(), "SIGN_IN_FAILURES_PER_ADDRESS": "3"})
    app = create_app(small, db, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app, base_url=PAGE) as nat:
        for index in range(3):
            assert sign_in(nat, f"inconnu{index}", "mauvais-mot-de-passe").status_code == 401
        assert sign_in(nat, "sam").status_code == 429
    with TestClient(app, base_url=PAGE, client=("198.51.100.7", 50000)) as elsewhere:
        assert sign_in(elsewhere, "sam").status_code == 303


def test_a_recognised_device_signs_in_whatever_others_do_behind_the_same_nat(
    db: Engine, rasa: FakeAgentChannel
) -> None:
    """OWASP's device cookie: a colleague behind the call centre's NAT fails « claire » and fills
    the address's ceiling; Claire, on the browser she signed in from before, still signs in."""
    small = Settings.from_values({**settings().as_env(), "SIGN_IN_FAILURES_PER_ADDRESS": "8"})
    app = create_app(small, db, rasa_transport=httpx.MockTransport(rasa.handle))
    with TestClient(app, base_url=PAGE) as claires_browser, TestClient(app, base_url=PAGE) as colleague:
        first = sign_in(claires_browser)
        assert first.status_code == 303
        device_cookie = first.cookies[devices.COOKIE_NAME]
        assert "path=/conseiller/connexion" in first.headers["set-cookie"].lower()
        for index in range(8):
            login = "claire" if index < FREE_FAILURES else f"inconnu{index}"
            assert sign_in(colleague, login, "mauvais-mot-de-passe").status_code == 401
        assert sign_in(colleague, "claire").status_code == 429
        assert sign_in(colleague, "sam").status_code == 429  # the address's ceiling
        assert sign_in(claires_browser).status_code == 303
        # The cookie vouches for Claire only: the colleague cannot borrow it for Sam or forge one.
        colleague.cookies.set(devices.COOKIE_NAME, device_cookie, path="/conseiller/connexion")
        assert sign_in(colleague, "sam").status_code == 429
        forged = device_cookie.rsplit(".", 1)[0] + "." + "0" * 64
        colleague.cookies.set(devices.COOKIE_NAME, forged, path="/conseiller/connexion")
        assert sign_in(colleague, "claire").status_code == 429


def test_a_recognised_device_still_meets_the_growing_delays(web: TestClient) -> None:
    """A stolen device cookie buys no free guesses: its own failures slow it like an address's."""
    assert sign_in(web).status_code == 303
    for _ in range(FREE_FAILURES):
        assert sign_in(web, "claire", "mauvais-mot-de-passe").status_code == 401
    assert sign_in(web, "claire", "mauvais-mot-de-passe").status_code == 429
    assert sign_in(web).status_code == 429


def test_sign_out_ends_the_session_for_good(web: TestClient, db: Engine) -> None:
    sign_in(web)
    cookie = web.cookies.get(COOKIE_NAME)
    answer = web.post("/conseiller/deconnexion", headers=SAME_ORIGIN, follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == "/conseiller/?sortie=1"
    assert "Vous êtes déconnecté(e)." in web.get("/conseiller/?sortie=1").text
    # Even a copy of the old cookie opens nothing any more.
    web.cookies.set(COOKIE_NAME, cookie or "", path="/")
    assert web.get("/conseiller/api/moi").status_code == 401
    assert AgentAction.SIGN_OUT in [action for _, action, _, _ in audit_actions(db, "claire")]


def _age_session(
    db: Engine, *, idle: dt.timedelta = dt.timedelta(0), age: dt.timedelta = dt.timedelta(0)
) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    with session_scope(db) as session:
        session.execute(update(AgentSession).values(last_seen_at=now - idle, created_at=now - age))


def test_a_session_idle_for_30_minutes_is_over(web: TestClient, db: Engine) -> None:
    sign_in(web)
    _age_session(db, idle=IDLE_TIMEOUT - dt.timedelta(minutes=1), age=dt.timedelta(hours=1))
    assert web.get("/conseiller/api/moi").status_code == 200
    _age_session(db, idle=IDLE_TIMEOUT + dt.timedelta(seconds=1), age=dt.timedelta(hours=1))
    answer = web.get("/conseiller/api/moi")
    assert answer.status_code == 401 and answer.json() == {"error": NOT_SIGNED_IN}
    assert AgentAction.SESSION_EXPIRED in [action for _, action, _, _ in audit_actions(db, "claire")]
    assert "Connexion à la console" in web.get("/conseiller/").text


def test_a_session_ends_after_8_hours_even_when_busy(web: TestClient, db: Engine) -> None:
    sign_in(web)
    _age_session(db, age=dt.timedelta(hours=8, seconds=1))
    assert web.get("/conseiller/api/moi").status_code == 401


def test_sign_in_from_another_site_is_refused(web: TestClient) -> None:
    answer = web.post(
        "/conseiller/connexion",
        data={"identifiant": "claire", "mot_de_passe": PASSWORD},
        headers={"Origin": "https://pirate.example"},
        follow_redirects=False,
    )
    assert answer.status_code == 403 and COOKIE_NAME not in answer.headers.get("set-cookie", "")


# --- every action refused without a session, from another page, or for the wrong role -------

ACTIONS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/moi", None),
    ("POST", "/assistant", {"question": "je n'ai pas reçu l'e-mail"}),
    ("GET", "/reponses/forgot_access_code", None),
    ("POST", "/adherent", {"nir": NIR_WITH_EMAIL}),
    ("POST", "/adherent/nouveau-code", {"nir": NIR_WITH_EMAIL, "canal": "email", "confirmation": "email"}),
    ("POST", "/adherent/verifier-email", {"nir": NIR_WITH_EMAIL, "email": "alice.martin@exemple.test"}),
    ("GET", "/journal", None),
]


def _call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
    if method == "GET":
        answer: httpx.Response = client.get(f"/conseiller/api{path}")
        return answer
    return post(client, path, body or {})


@pytest.mark.parametrize(("method", "path", "body"), ACTIONS)
def test_no_action_without_a_session(
    web: TestClient, db: Engine, rasa: FakeAgentChannel, method: str, path: str, body: dict[str, Any] | None
) -> None:
    answer = _call(web, method, path, body)
    assert answer.status_code == 401 and answer.json() == {"error": NOT_SIGNED_IN}
    # A made-up cookie, or a member's chat sender id used as one, opens nothing either.
    web.cookies.set(COOKIE_NAME, "Zq3-x_9bT4mWkLpR2sYvN8cA", path="/")
    assert _call(web, method, path, body).status_code == 401
    assert rasa.requests == []
    with session_scope(db) as session:
        assert session.scalars(select(ResetRequest)).all() == []


@pytest.mark.parametrize(("method", "path", "body"), [a for a in ACTIONS if a[0] == "POST"])
def test_no_action_from_another_page(
    web: TestClient, db: Engine, method: str, path: str, body: dict[str, Any] | None
) -> None:
    sign_in(web)
    for origin in ({"Origin": "https://pirate.example"}, {}):
        answer = web.post(f"/conseiller/api{path}", json=body, headers=origin)
        assert answer.status_code == 403 and answer.json() == {"error": WRONG_ORIGIN}
    with session_scope(db) as session:
        assert session.scalars(select(ResetRequest)).all() == []


def test_the_journal_is_for_supervisors_only(web: TestClient, db: Engine) -> None:
    sign_in(web)
    answer = web.get("/conseiller/api/journal")
    assert answer.status_code == 403 and answer.json() == {"error": SUPERVISORS_ONLY}
    assert 'id="journal"' not in web.get("/conseiller/").text
    web.post("/conseiller/deconnexion", headers=SAME_ORIGIN)
    sign_in(web, "sam")
    lines = web.get("/conseiller/api/journal").json()
    assert {"acteur": "claire", "action": "sign_in"}.items() <= lines[-1].items() or any(
        line["acteur"] == "claire" and line["action"] == "sign_in" for line in lines
    )
    # In French beside the stored code (issue 21: the journal showed « member_lookup »).
    signed_in = next(line for line in lines if line["action"] == "sign_in")
    assert (signed_in["libelle"], signed_in["detail_texte"]) == ("Connexion", "")
    only_claire = web.get("/conseiller/api/journal", params={"conseiller": "claire"}).json()
    assert only_claire and {line["acteur"] for line in only_claire} == {"claire"}
    assert 'id="journal"' in web.get("/conseiller/").text
    assert audit_actions(db, "sam")[-1][1] == AgentAction.AUDIT_READ


# --- the assistant --------------------------------------------------------------------------


def test_the_assistant_answers_with_the_member_texts_and_the_top_three(
    web: TestClient, db: Engine, rasa: FakeAgentChannel
) -> None:
    sign_in(web)
    question = "l'adhérent n'a pas reçu son e-mail, son numéro est " + NIR_WITH_EMAIL
    answer = web.post(
        "/conseiller/api/assistant",
        json={"question": question},
        headers={**SAME_ORIGIN, "X-Sesame-Agent": "sam"},  # the browser cannot choose who it is
    )
    assert answer.status_code == 200
    reply = answer.json()
    assert [i["intention"] for i in reply["intentions"]] == [
        "email_not_received",
        "forgot_access_code",
        "reset_link_not_working",
    ]
    assert reply["intentions"][0]["libelle"] == "Je n'ai pas reçu l'e-mail de réinitialisation"
    assert reply["intentions"][0]["confiance"] == pytest.approx(0.91)
    assert reply["reponse"]["intention"] == "email_not_received"
    assert reply["reponse"]["a_dire"] and reply["reponse"]["etapes"]
    assert "dossier" in reply["reponse"]["a_faire"]
    sent = rasa.requests[-1]
    assert str(sent.url).endswith("/webhooks/agent/parse")
    assert sent.headers["x-sesame-channel"] == CHANNEL_TOKEN
    assert sent.headers["x-sesame-agent"] == "claire"
    assert json.loads(sent.content) == {"text": question}
    # Only the intent is kept: not the question, not the number in it.
    (last,) = [entry for entry in audit_actions(db, "claire") if entry[1] == AgentAction.ASSISTANT_QUESTION]
    assert last[3] == {"intention": "email_not_received"}
    assert NIR_WITH_EMAIL not in json.dumps(audit_actions(db))


def test_a_close_call_gives_both_answers_in_french(web: TestClient, rasa: FakeAgentChannel) -> None:
    """54 % against 45 %: the agent sees both answers, each under its French name (issue 21, item 4)."""
    rasa.intents = [
        {"name": "out_of_scope", "confidence": 0.54},
        {"name": "forgot_access_code", "confidence": 0.45},
        {"name": "deny", "confidence": 0.01},
    ]
    sign_in(web)
    reply = post(web, "/assistant", {"question": "et pour mon remboursement ?"}).json()
    assert [i["libelle"] for i in reply["intentions"]] == [
        "Hors sujet",
        "J'ai oublié mon code d'accès",
        "Non",
    ]
    assert (reply["reponse"]["intention"], reply["reponse"]["a_dire"]) == ("out_of_scope", None)
    assert reply["autre_reponse"]["intention"] == "forgot_access_code" and reply["autre_reponse"]["a_dire"]
    rasa.intents = [
        {"name": "forgot_access_code", "confidence": 0.80},
        {"name": "out_of_scope", "confidence": 0.2},
    ]
    assert post(web, "/assistant", {"question": "code perdu"}).json()["autre_reponse"] is None


def test_another_intent_in_one_click(web: TestClient) -> None:
    sign_in(web)
    answer = web.get("/conseiller/api/reponses/no_email_address").json()
    assert answer["libelle"] == "Je n'ai pas d'adresse e-mail"
    assert answer["a_dire"] and "courrier" in answer["a_dire"]
    assert web.get("/conseiller/api/reponses/pas_une_intention").status_code == 404


def test_the_assistant_says_when_rasa_is_down(db: Engine) -> None:
    def down(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("refused")

    app = create_app(settings(), db, rasa_transport=httpx.MockTransport(down))
    with TestClient(app, base_url=PAGE) as client:
        sign_in(client)
        answer = post(client, "/assistant", {"question": "code perdu"})
    assert answer.status_code == 503
    assert answer.json()["error"].startswith("L'assistant est momentanément indisponible")


@pytest.mark.parametrize(
    "body", [{}, {"question": ""}, {"question": "x" * 2001}, {"question": 3}, {"q": "a"}]
)
def test_a_bad_question_gets_a_french_400(web: TestClient, body: dict[str, Any]) -> None:
    sign_in(web)
    answer = post(web, "/assistant", body)
    assert answer.status_code == 400
    assert answer.json()["error"].startswith("Requête illisible")


# --- member file and reset on behalf ------------------------------------------------------


def test_a_malformed_number_gets_the_precise_reason_and_is_audited_without_it(
    web: TestClient, db: Engine
) -> None:
    sign_in(web)
    wrong_key = NIR_WITH_EMAIL[:-2] + ("00" if NIR_WITH_EMAIL[-2:] != "00" else "01")
    answer = post(web, "/adherent", {"nir": wrong_key})
    assert answer.status_code == 422
    assert answer.json()["error"].startswith("Numéro refusé : La clé")
    short = post(web, "/adherent", {"nir": "1 85 07"})
    assert "15" in short.json()["error"]
    unknown = post(web, "/adherent", {"nir": UNKNOWN_NIR})
    assert unknown.status_code == 422 and "aucun adhérent" in unknown.json()["error"]
    results = [e[3].get("resultat") for e in audit_actions(db, "claire") if e[1] == AgentAction.MEMBER_LOOKUP]
    assert results == ["bad_key", "too_short", "unknown_member"]
    assert wrong_key not in json.dumps(audit_actions(db))


def test_the_member_file_masks_the_email_for_an_agent_and_shows_it_to_a_supervisor(
    web: TestClient, db: Engine
) -> None:
    sign_in(web)
    file = post(
        web, "/adherent", {"nir": " ".join([NIR_WITH_EMAIL[:1], NIR_WITH_EMAIL[1:5], NIR_WITH_EMAIL[5:]])}
    ).json()
    assert file["nom"] == "Alice Martin" and file["ville"] == "Paris"
    assert file["email"] != "alice.martin@exemple.test" and file["email"].endswith(".test")
    assert "alice.martin" not in json.dumps(file)
    assert file["email_complet"] is False
    assert file["demandes"] == [] and file["demandes_restantes_24h"] == 3
    assert file["suggestion"].startswith(
        "Aucune demande de nouveau code : proposez un nouveau code par e-mail"
    )
    lookups = [e for e in audit_actions(db, "claire") if e[1] == AgentAction.MEMBER_LOOKUP]
    assert lookups[-1][2] == hash_nir(NIR_WITH_EMAIL, KEY)
    web.post("/conseiller/deconnexion", headers=SAME_ORIGIN)
    sign_in(web, "sam")
    full = post(web, "/adherent", {"nir": NIR_WITH_EMAIL}).json()
    assert full["email"] == "alice.martin@exemple.test" and full["email_complet"] is True
    no_email = post(web, "/adherent", {"nir": NIR_WITHOUT_EMAIL}).json()
    assert no_email["email"] is None
    assert "par courrier" in no_email["suggestion"]


def test_a_reset_on_behalf_needs_the_channel_confirmed(web: TestClient, db: Engine) -> None:
    sign_in(web)
    for confirmation in ("", "oui", "courrier"):
        answer = post(
            web,
            "/adherent/nouveau-code",
            {"nir": NIR_WITH_EMAIL, "canal": "email", "confirmation": confirmation},
        )
        assert answer.status_code == 400 and answer.json() == {"error": NOT_CONFIRMED}
    with session_scope(db) as session:
        assert session.scalars(select(ResetRequest)).all() == []


def test_a_reset_by_email_on_behalf_goes_to_the_outbox_under_the_agents_name(
    web: TestClient, db: Engine
) -> None:
    sign_in(web)
    answer = post(
        web, "/adherent/nouveau-code", {"nir": NIR_WITH_EMAIL, "canal": "email", "confirmation": "email"}
    )
    assert answer.status_code == 200
    done = answer.json()
    assert done["resultat"] == "email_en_file"
    assert done["message"].startswith("E-mail de réinitialisation mis en file d'envoi vers")
    (line,) = done["dossier"]["demandes"]
    assert (
        line["canal"] == "email"
        and line["par_conseiller"] == "claire"
        and line["code_etat"] == "email_pending"
    )
    assert done["dossier"]["demandes_restantes_24h"] == 2
    with session_scope(db) as session:
        (request,) = session.scalars(select(ResetRequest)).all()
        assert request.channel == ResetChannel.EMAIL and request.agent_id is not None
        assert request.client_hash is None
        (email,) = session.scalars(select(OutgoingEmail)).all()
        assert email.to_address == "alice.martin@exemple.test"
    entry = [e for e in audit_actions(db, "claire") if e[1] == AgentAction.RESET_ON_BEHALF][-1]
    assert entry[2] == hash_nir(NIR_WITH_EMAIL, KEY) and entry[3] == {
        "canal": "email",
        "resultat": "email_en_file",
    }
    # Asking again while the email is on its way sends nothing new.
    again = post(
        web, "/adherent/nouveau-code", {"nir": NIR_WITH_EMAIL, "canal": "email", "confirmation": "email"}
    )
    assert again.json()["resultat"] == "deja_en_route"
    with session_scope(db) as session:
        assert len(session.scalars(select(OutgoingEmail)).all()) == 1


def test_an_agent_checks_the_address_the_caller_reads_out_without_seeing_it(
    web: TestClient, db: Engine
) -> None:
    """The agent sees the address masked; the caller reads it out; the server says only yes or no."""
    sign_in(web)
    same = post(
        web, "/adherent/verifier-email", {"nir": NIR_WITH_EMAIL, "email": " Alice.Martin@Exemple.test "}
    )
    assert same.status_code == 200 and same.json()["correspond"] is True
    other = post(web, "/adherent/verifier-email", {"nir": NIR_WITH_EMAIL, "email": "alice.martin@exemple.fr"})
    assert other.status_code == 200 and other.json()["correspond"] is False
    assert "courrier" in other.json()["message"]
    assert "alice.martin@exemple.test" not in same.text + other.text  # never sent back
    none = post(web, "/adherent/verifier-email", {"nir": NIR_WITHOUT_EMAIL, "email": "x@exemple.test"})
    assert none.status_code == 422
    checks = [e for e in audit_actions(db, "claire") if e[1] == AgentAction.EMAIL_CHECKED]
    assert [e[3] for e in checks] == [
        {"resultat": "correspond"},
        {"resultat": "different"},
        {"resultat": "pas_d_email"},
    ]
    assert checks[0][2] == hash_nir(NIR_WITH_EMAIL, KEY)
    assert "exemple.fr" not in json.dumps(audit_actions(db)) and "Alice.Martin" not in json.dumps(
        audit_actions(db)
    )


def test_a_letter_on_behalf_and_the_members_daily_limit(web: TestClient, db: Engine) -> None:
    sign_in(web)
    refused = post(
        web, "/adherent/nouveau-code", {"nir": NIR_WITHOUT_EMAIL, "canal": "email", "confirmation": "email"}
    )
    assert refused.status_code == 422 and refused.json() == {"error": NO_EMAIL_ON_FILE}
    letter = post(
        web,
        "/adherent/nouveau-code",
        {"nir": NIR_WITHOUT_EMAIL, "canal": "courrier", "confirmation": "courrier"},
    ).json()
    assert letter["resultat"] == "courrier_demande"
    assert letter["message"].startswith("Courrier demandé : il arrivera au plus tard le")
    assert letter["dossier"]["demandes"][0]["code_etat"] == "letter_requested"
    # A letter although the member has an email (they cannot read that mailbox), then the limit.
    outcomes = [
        post(
            web, "/adherent/nouveau-code", {"nir": NIR_WITH_EMAIL, "canal": canal, "confirmation": canal}
        ).json()
        for canal in ("courrier", "email")
    ]
    assert [o["resultat"] for o in outcomes] == ["courrier_demande", "email_en_file"]
    with session_scope(db) as session:
        member = session.scalars(select(Member).where(Member.first_name == "Alice")).one()
        session.add_all([ResetRequest(member_id=member.id, channel=ResetChannel.LETTER, agent_id=None)])
    limited = post(
        web,
        "/adherent/nouveau-code",
        {"nir": NIR_WITH_EMAIL, "canal": "courrier", "confirmation": "courrier"},
    )
    assert limited.json()["resultat"] == "limite_atteinte"
    assert limited.json()["dossier"]["demandes_restantes_24h"] == 0
    with session_scope(db) as session:
        assert len(session.scalars(select(PostalLetter)).all()) == 2


def test_openapi_documents_the_console_api_in_french(web: TestClient) -> None:
    schema = web.app.openapi()  # type: ignore[attr-defined]
    paths = schema["paths"]
    for path in (
        "/conseiller/api/assistant",
        "/conseiller/api/adherent",
        "/conseiller/api/adherent/nouveau-code",
        "/conseiller/api/journal",
        "/conseiller/api/moi",
        "/conseiller/api/reponses/{intention}",
    ):
        assert path in paths, path
    assert "/conseiller/connexion" not in paths
    post_reset = paths["/conseiller/api/adherent/nouveau-code"]["post"]
    assert post_reset["summary"] == "Demander un nouveau code pour l'adhérent"
    assert {"401", "403", "422"} <= set(post_reset["responses"])


def test_a_trainer_account_opens_no_member_file(web: TestClient, db: Engine) -> None:
    with session_scope(db) as session:
        accounts.add_agent(session, "fanny", PASSWORD, actor="cli:test", role=AgentRole.FORMATEUR)
    assert sign_in(web, "fanny").status_code == 303
    page = web.get("/conseiller/")
    assert page.status_code == 403 and "compte formateur" in page.text
    assert '<a href="/atelier/">Aller à l&#39;atelier des formateurs</a>' in page.text  # not a dead end
    for method, path, body in ACTIONS:
        answer = _call(web, method, path, body)
        assert answer.status_code == 403, path
    with session_scope(db) as session:
        assert session.scalars(select(ResetRequest)).all() == []


def test_automatic_refreshes_do_not_keep_an_idle_session_alive(web: TestClient, db: Engine) -> None:
    sign_in(web)
    _age_session(db, idle=IDLE_TIMEOUT - dt.timedelta(minutes=5), age=dt.timedelta(hours=1))
    polled = web.get("/conseiller/api/moi", headers={"X-Sesame-Poll": "1"})
    assert polled.status_code == 200
    with session_scope(db) as session:
        row = session.scalars(select(AgentSession)).one()
        idle_for = dt.datetime.now(dt.timezone.utc) - row.last_seen_at
    assert idle_for >= IDLE_TIMEOUT - dt.timedelta(minutes=5, seconds=1)  # not refreshed
    assert web.get("/conseiller/api/moi").status_code == 200  # the agent's own request is activity
    with session_scope(db) as session:
        row = session.scalars(select(AgentSession)).one()
        assert dt.datetime.now(dt.timezone.utc) - row.last_seen_at < dt.timedelta(minutes=1)


# --- the console's wake-up stream (GET /conseiller/api/flux, bot.web.routes.console_push) ---


def test_the_wake_up_stream_wants_an_agents_session(web: TestClient, db: Engine) -> None:
    refused = web.get("/conseiller/api/flux")
    assert refused.status_code == 401 and refused.json() == {"error": NOT_SIGNED_IN}
    with session_scope(db) as session:
        accounts.add_agent(session, "fanny", PASSWORD, actor="cli:test", role=AgentRole.FORMATEUR)
    assert sign_in(web, "fanny").status_code == 303
    refused = web.get("/conseiller/api/flux")
    assert refused.status_code == 403 and "formateur" in refused.json()["error"]


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)
def test_on_sqlite_the_stream_only_says_the_console_is_open_and_is_not_activity(
    web: TestClient, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No wake-ups (the one-process demo): « presence », then session checks that keep the
    console present (bot.agents.presence) without counting as the agent's activity."""
    # The test client never says the browser went away: the stream ends on its own, quickly.
    monkeypatch.setattr(console_push, "STREAM_SECONDS", 0.3)
    monkeypatch.setattr(console_push, "CHECK_SECONDS", 0.1)
    sign_in(web)
    _age_session(db, idle=IDLE_TIMEOUT - dt.timedelta(minutes=5), age=dt.timedelta(hours=1))
    with web.stream("GET", "/conseiller/api/flux") as stream:
        assert stream.status_code == 200
        lines = list(stream.iter_lines())
    assert lines[:3] == ["retry: 2000", "", "event: presence"]
    assert ": toujours là" in lines
    with session_scope(db) as session:
        row = session.scalars(select(AgentSession)).one()
        now = dt.datetime.now(dt.timezone.utc)
        idle_for = now - row.last_seen_at
        assert row.console_seen_at is not None and now - row.console_seen_at < dt.timedelta(seconds=5)
    assert idle_for >= IDLE_TIMEOUT - dt.timedelta(minutes=5, seconds=1)  # not refreshed
