"""The trainers' workbench through the FastAPI app: its pages, every API endpoint and its guards.

The databases are real (SQLite and PostgreSQL, migrated; the tracker store's
``events`` table in the same test database), the project folder is a throw-away
copy of the repository (``WORKBENCH_ROOT``): no test changes the real training
files. The real browser is in tests/browser/test_atelier.py.
"""

from __future__ import annotations

import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from bot.agents import accounts
from bot.db.engine import session_scope
from bot.db.enums import AgentAction, AgentRole, ReviewDecisionKind
from bot.db.models import AgentAuditEntry, ReviewDecision
from bot.releases import history, loading
from bot.settings import Settings
from bot.web.app import create_app
from bot.web.deps import COOKIE_NAME, NOT_SIGNED_IN
from bot.web.routes.workbench_pages import report_policy
from bot.web.workbench_deps import TRAINERS_ONLY, WRONG_ORIGIN
from tests.conftest import ROOT
from tests.support.nirs import with_key
from tests.workbench.conftest import Conversation, repo, tracker  # noqa: F401 - fixtures

PAGE = "http://127.0.0.1:8080"
SAME_ORIGIN = {"Origin": PAGE}
PASSWORD = "Correct-cheval-agrafe-42"  # noqa: S105 - a test account
NIR = with_key("1850775123456")  # generated, valid by checksum, nobody's

EXAMPLES = [
    "mon code peut il commencer par un zero",
    "un code qui commence par 0 c est possible",
    "le premier chiffre du code peut etre zero",
    "est ce que je peux mettre un zero devant",
    "code d acces debutant par zero autorise",
    "zero en premier dans mon code ca marche",
    "puis je choisir un code qui commence par zero",
    "le code peut commencer par le chiffre zero",
    "commencer mon code par un 0 est ce permis",
    "zero au debut du code d acces possible",
]
HOLDOUT = [
    "j ai le droit de debuter mon code par 0",
    "un zero en tete du code est il accepte",
    "mon nouveau code commence par zero probleme",
    "zero comme premier chiffre c est bon",
    "code secret qui debute par un zero ok",
    "le site accepte t il un 0 au debut",
    "premier caractere du code a zero",
    "est il interdit de commencer par 0",
    "code commencant par zero refuse",
    "peut on avoir un zero initial",
    "chiffre zero en position une",
    "un code du type 0 et cinq chiffres",
    "zero devant mon code est il valable",
    "je voudrais un code qui demarre par zero",
    "le 0 en premier chiffre pose souci",
]


@pytest.fixture
def project(repo: Path) -> Path:  # noqa: F811 - the fixture imported above
    shutil.copy(ROOT / "couverture.yml", repo / "couverture.yml")
    return repo


@pytest.fixture
def db(engine: Engine) -> Engine:
    with session_scope(engine) as session:
        for login, role in (
            ("claire", AgentRole.CONSEILLER),
            ("fanny", AgentRole.FORMATEUR),
            ("sam", AgentRole.SUPERVISEUR),
        ):
            accounts.add_agent(session, login, PASSWORD, actor="cli:test", role=role)
    return engine


REPORT_SCRIPT = (
    "import pathlib, sys, time\n"
    "root = pathlib.Path(sys.argv[1])\n"
    "print('[1/2] Entraînement du modèle…', flush=True)\n"
    "time.sleep(0.2)\n"
    "print('[2/2] Phrases de contrôle…', flush=True)\n"
    "(root / 'reports').mkdir(exist_ok=True)\n"
    "(root / 'reports' / 'index.html').write_text("
    '\'<!doctype html><html lang="fr"><head><title>Rapport</title><style>body{color:#000}</style>'
    "</head><body><h1>Rapport de Sésame</h1></body></html>', encoding='utf-8')\n"
    "print('Rapport : index.html', flush=True)\n"
)


@pytest.fixture
def web(db: Engine, project: Path, tracker: Engine) -> Iterator[TestClient]:  # noqa: F811
    settings = Settings.from_values(
        {"RESET_URL_BASE": f"{PAGE}/reinitialiser", "WORKBENCH_ROOT": str(project)}
    )
    app = create_app(
        settings,
        db,
        rasa_transport=httpx.MockTransport(lambda request: httpx.Response(503)),
        report_command=[sys.executable, "-c", REPORT_SCRIPT, str(project)],
    )
    app.state.workbench.tracker_engine = tracker
    app.state.workbench.rasa = Path("/nonexistent/rasa")  # the check says Rasa is missing, quickly
    with TestClient(app, base_url=PAGE) as client:
        yield client


def sign_in(client: TestClient, login: str) -> None:
    answer = client.post(
        "/conseiller/connexion",
        data={"identifiant": login, "mot_de_passe": PASSWORD, "suivant": "/atelier/"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/atelier/"


def post(client: TestClient, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
    answer: httpx.Response = client.post(f"/atelier/api{path}", json=body, headers=SAME_ORIGIN)
    return answer


def reference_of(client: TestClient, conversation_id: str) -> str:
    """What the workbench shows for a conversation: its reference under the app's secret."""
    reference: str = client.app.state.web.refs.of(conversation_id)  # type: ignore[attr-defined]
    return reference


def audit_actions(engine: Engine, actor: str) -> list[tuple[str, dict[str, Any]]]:
    with session_scope(engine) as session:
        query = select(AgentAuditEntry).where(AgentAuditEntry.actor == actor).order_by(AgentAuditEntry.id)
        return [(e.action, dict(e.detail)) for e in session.scalars(query)]


@pytest.fixture
def fallback_message(tracker: Engine) -> tuple[str, int]:  # noqa: F811
    chat = Conversation(tracker, "conv-fallback")
    event = chat.user(
        "mon code a un zero au debut ca passe",
        "nlu_fallback",
        0.3,
        [("nlu_fallback", 0.3), ("access_code_rules", 0.25)],
    )
    chat.action("action_two_stage_fallback")
    return "conv-fallback", event


# --- every endpoint, every role ------------------------------------------------------------

SAVED = "test_saved_2026_12_01_1.yml"  # a saved test story's name (none is saved in these tests)
ENDPOINTS: list[tuple[str, str, dict[str, Any] | None]] = [
    ("GET", "/moi", None),
    ("GET", "/intentions", None),
    ("GET", "/intentions/forgot_access_code", None),
    ("GET", "/boite", None),
    ("POST", "/boite/decision", {"conversation": "conv-fallback", "evenement": 1, "decision": "ecarter"}),
    (
        "POST",
        "/question/apercu",
        {"libelle": "x", "exemples": "", "controle": "", "reponse": "", "theme": "code_acces"},
    ),
    (
        "POST",
        "/question",
        {"libelle": "x", "exemples": "", "controle": "", "reponse": "", "theme": "code_acces"},
    ),
    ("POST", "/intentions/forgot_access_code/apercu", {"ajouter": ""}),
    ("POST", "/intentions/forgot_access_code", {"ajouter": ""}),
    ("POST", "/conversation/apercu", {"conversation": "conv-fallback"}),
    ("POST", "/conversation", {"conversation": "absent"}),
    ("GET", "/histoires", None),
    ("POST", f"/histoires/{SAVED}", {"retirer": [1]}),
    ("POST", f"/histoires/{SAVED}/suppression", None),
    ("GET", "/verification", None),
    ("POST", "/verification", None),
    ("GET", "/rapport", None),
    ("POST", "/rapport", None),
    ("GET", "/statistiques", None),
    ("GET", "/modele", None),
]
PAGES = [
    "/atelier/",
    "/atelier/question",
    "/atelier/conversation",
    "/atelier/verifier",
    "/atelier/statistiques",
    "/atelier/rapport",
]


def call(client: TestClient, method: str, path: str, body: dict[str, Any] | None) -> httpx.Response:
    if method == "GET":
        answer: httpx.Response = client.get(f"/atelier/api{path}")
        return answer
    return post(client, path, body)


@pytest.mark.parametrize(("method", "path", "body"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _ in ENDPOINTS])
def test_every_endpoint_wants_a_trainer(
    web: TestClient, method: str, path: str, body: dict[str, Any] | None, fallback_message: tuple[str, int]
) -> None:
    answer = call(web, method, path, body)
    assert answer.status_code == 401
    assert answer.json() == {"error": NOT_SIGNED_IN}

    web.cookies.set(COOKIE_NAME, "un-jeton-invente")
    assert call(web, method, path, body).status_code == 401
    web.cookies.clear()

    sign_in(web, "claire")  # a conseiller
    answer = call(web, method, path, body)
    assert answer.status_code == 403
    assert answer.json() == {"error": TRAINERS_ONLY}

    for login in ("fanny", "sam"):  # a formateur, a superviseur
        web.cookies.clear()
        sign_in(web, login)
        answer = call(web, method, path, body)
        assert answer.status_code not in (401, 403), answer.text
        assert answer.headers["content-type"].startswith("application/json")
        if method == "POST" and path in ("/verification", "/rapport"):
            wait_for(web, path)


@pytest.mark.parametrize(("method", "path", "body"), [e for e in ENDPOINTS if e[0] == "POST"])
def test_every_post_wants_the_workbench_page_as_origin(
    web: TestClient, method: str, path: str, body: dict[str, Any] | None
) -> None:
    sign_in(web, "fanny")
    for headers in ({}, {"Origin": "https://evil.example"}, {"Origin": "null"}):
        answer = web.post(f"/atelier/api{path}", json=body, headers=headers)
        assert answer.status_code == 403
        assert answer.json() == {"error": WRONG_ORIGIN}


def test_the_api_is_in_the_openapi_schema(web: TestClient) -> None:
    schema = web.app.openapi()  # type: ignore[attr-defined]
    paths = {f"{method.upper()} {path}" for path, item in schema["paths"].items() for method in item}
    for method, path, _ in ENDPOINTS:
        template = path.replace("forgot_access_code", "{intention}").replace(SAVED, "{fichier}")
        assert f"{method} /atelier/api{template}" in paths
    assert "atelier des formateurs" in schema["paths"]["/atelier/api/boite"]["get"]["tags"]


# --- pages -----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", PAGES)
def test_pages_sign_in_then_trainers_only(web: TestClient, path: str) -> None:
    answer = web.get(path)
    assert answer.status_code == 200
    assert "atelier des formateurs</h1>" in answer.text
    assert 'name="suivant" value="/atelier/"' in answer.text
    sign_in(web, "claire")
    refused = web.get(path)
    assert refused.status_code == 403
    assert "réservé aux formateurs et aux superviseurs" in refused.text
    web.cookies.clear()
    sign_in(web, "fanny")
    page = web.get(path)
    assert page.status_code == 200
    assert "default-src 'none'" in page.headers["content-security-policy"]
    assert page.headers["referrer-policy"] == "same-origin"


def test_sign_in_goes_back_to_our_pages_only(web: TestClient) -> None:
    for target, expected in (
        ("/atelier/", "/atelier/"),
        ("/conseiller/", "/atelier/"),  # a formateur has no console: the workbench
        ("https://evil.example/", "/atelier/"),
        ("//evil.example/atelier/", "/atelier/"),
        ("/atelier/../conseiller/api/journal", "/atelier/"),
    ):
        web.cookies.clear()
        answer = web.post(
            "/conseiller/connexion",
            data={"identifiant": "fanny", "mot_de_passe": PASSWORD, "suivant": target},
            headers=SAME_ORIGIN,
            follow_redirects=False,
        )
        assert answer.headers["location"] == expected
    web.cookies.clear()
    answer = web.post(
        "/conseiller/connexion",
        data={"identifiant": "claire", "mot_de_passe": PASSWORD, "suivant": "https://evil.example/"},
        headers=SAME_ORIGIN,
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/conseiller/"
    out = web.post(
        "/conseiller/deconnexion", data={"suivant": "/atelier/"}, headers=SAME_ORIGIN, follow_redirects=False
    )
    assert out.headers["location"] == "/atelier/?sortie=1"


def test_a_failed_sign_in_stays_on_the_workbench_form(web: TestClient) -> None:
    answer = web.post(
        "/conseiller/connexion",
        data={"identifiant": "fanny", "mot_de_passe": "mauvais", "suivant": "/atelier/"},
        headers=SAME_ORIGIN,
    )
    assert answer.status_code == 401
    assert "atelier des formateurs</h1>" in answer.text


# --- the inbox, decisions ----------------------------------------------------------------------


def test_the_inbox_is_redacted_and_filtered(web: TestClient, tracker: Engine) -> None:  # noqa: F811
    chat = Conversation(tracker, "conv-secret")
    chat.user(f"mon numero est {NIR} et mon code 123456", "provide_nir", 0.4)
    chat.action("utter_default")
    other = Conversation(tracker, "conv-ok")
    other.user("bonjour", "greet", 0.99)
    sign_in(web, "fanny")
    view = web.get("/atelier/api/boite").json()
    texts = [item["texte"] for item in view["elements"]]
    assert len(texts) == 1
    assert "1850775123456" not in texts[0]
    assert "123456" not in texts[0].replace("[", "")
    assert "masqué" in texts[0]
    item = view["elements"][0]
    assert "Pas compris" in item["raisons"]
    assert web.get("/atelier/api/boite", params={"raison": "flagged"}).json()["total"] == 0
    assert web.get("/atelier/api/boite", params={"confiance_min": 0.9}).json()["total"] == 0
    assert web.get("/atelier/api/boite", params={"depuis": "2030-01-01"}).json()["total"] == 0
    assert web.get("/atelier/api/boite", params={"raison": "nimporte"}).status_code == 400


def test_a_message_moved_to_an_intent_is_stored_written_and_audited(
    web: TestClient, db: Engine, project: Path, fallback_message: tuple[str, int]
) -> None:
    conversation_id, event = fallback_message
    conversation = reference_of(web, conversation_id)
    sign_in(web, "fanny")
    answer = post(
        web,
        "/boite/decision",
        {
            "conversation": conversation,
            "evenement": event,
            "decision": "deplacer",
            "intention": "J'ai oublié mon code d'accès",
        },
    )
    if answer.status_code == 422:  # the label may differ: by name then
        answer = post(
            web,
            "/boite/decision",
            {
                "conversation": conversation,
                "evenement": event,
                "decision": "deplacer",
                "intention": "access_code_rules",
            },
        )
    assert answer.status_code == 200, answer.text
    done = answer.json()
    assert done["fichier"].startswith("data/nlu/")
    assert "mon code a un zero au debut ca passe" in (project / done["fichier"]).read_text(encoding="utf-8")
    assert "mon code a un zero au debut ca passe" not in (ROOT / done["fichier"]).read_text(encoding="utf-8")
    with session_scope(db) as session:
        stored = session.scalars(select(ReviewDecision)).one()
        assert stored.decision == ReviewDecisionKind.MOVED
        assert stored.reviewer == "fanny"
    decided = [d for a, d in audit_actions(db, "fanny") if a == AgentAction.REVIEW_DECIDED]
    assert decided == [
        {"decision": "moved", "intent": done["intention"], "conversation": conversation, "event": event}
    ]
    again = post(
        web, "/boite/decision", {"conversation": conversation, "evenement": event, "decision": "ecarter"}
    )
    assert again.json()["deja_decide"] is True
    assert web.get("/atelier/api/boite", params={"a_traiter": "true"}).json()["total"] == 0


def test_a_decision_names_the_conversation_by_its_reference_only(
    web: TestClient,
    tracker: Engine,  # noqa: F811 - the fixture imported above
    fallback_message: tuple[str, int],
) -> None:
    """The inbox shows references; a decision with the id itself, or another conversation's, is refused."""
    conversation_id, event = fallback_message
    Conversation(tracker, "conv-other").user("bonjour", "greet", 0.99)
    sign_in(web, "fanny")
    (line,) = web.get("/atelier/api/boite").json()["elements"]
    assert line["conversation"] == reference_of(web, conversation_id)
    for named in (conversation_id, reference_of(web, "conv-other"), "C7F3-K9QX-2M"):
        refused = post(
            web, "/boite/decision", {"conversation": named, "evenement": event, "decision": "ecarter"}
        )
        assert refused.status_code == 422, named
        assert refused.json() == {
            "error": "Ce message n'existe pas (ou plus) dans les conversations enregistrées."
        }
    typed = line["conversation"].lower().replace("-", "")
    done = post(web, "/boite/decision", {"conversation": typed, "evenement": event, "decision": "ecarter"})
    assert done.status_code == 200, done.text


def test_a_secret_is_refused_in_french(web: TestClient, tracker: Engine) -> None:  # noqa: F811
    chat = Conversation(tracker, "conv-nir")
    event = chat.user("mon code 482913 marche pas", "nlu_fallback", 0.2)
    chat.action("action_two_stage_fallback")
    sign_in(web, "fanny")
    conversation = reference_of(web, "conv-nir")
    answer = post(
        web, "/boite/decision", {"conversation": conversation, "evenement": event, "decision": "hors_sujet"}
    )
    assert answer.status_code == 422
    assert "numéro" in answer.json()["error"]
    discarded = post(
        web, "/boite/decision", {"conversation": conversation, "evenement": event, "decision": "ecarter"}
    )
    assert discarded.status_code == 200


# --- a new question, an edit, a story ------------------------------------------------------------


def new_question() -> dict[str, Any]:
    return {
        "libelle": "Mon code peut-il commencer par un zéro ?",
        "exemples": "\n".join(EXAMPLES),
        "controle": "\n".join(HOLDOUT),
        "reponse": "Oui : votre code d'accès peut commencer par un zéro.",
        "boutons": [],
        "theme": "code_acces",
        "section": "3.2",
    }


def test_a_new_question_previewed_then_written_into_the_copy_only(
    web: TestClient, db: Engine, project: Path
) -> None:
    sign_in(web, "fanny")
    real = (ROOT / "intents.yml").read_text(encoding="utf-8")
    before = (project / "intents.yml").read_text(encoding="utf-8")
    preview = post(web, "/question/apercu", new_question())
    assert preview.status_code == 200, preview.text
    shown = preview.json()
    assert shown["ecrit"] is False
    # In plain French first; the files under « Détails techniques » (issue #22).
    assert (
        shown["resume"][0]
        == "Sésame apprendra 10 façons de dire « Mon code peut-il commencer par un zéro ? »."
    )
    assert "Réponse : Oui : votre code d'accès peut commencer par un zéro." in shown["resume"]
    assert (
        "Section du document d'aide : 3.2 Personnaliser mon code d'accès sur 6 chiffres et le valider."
        in shown["resume"]
    )
    assert "make" not in shown["message"] and "Rien n'est encore écrit" in shown["message"]
    changed = {f["chemin"] for f in shown["fichiers"]}
    assert "intents.yml" in changed
    assert any(name.startswith("data/nlu/") for name in changed)
    assert (project / "intents.yml").read_text(encoding="utf-8") == before  # a preview writes nothing
    assert post(web, "/question/apercu", new_question() | {"section": "9.9"}).status_code == 422
    written = post(web, "/question", new_question())
    assert written.status_code == 200, written.text
    name = written.json()["intention"]
    assert f"  {name}:" in (project / "intents.yml").read_text(encoding="utf-8")
    # Linked to its section of the help document in the coverage table.
    assert f'"3.2": [access_code_rules, {name}]' in (project / "couverture.yml").read_text(encoding="utf-8")
    assert "« Lancer la vérification »" in written.json()["message"]
    assert (ROOT / "intents.yml").read_text(encoding="utf-8") == real
    assert (
        "training_data_changed",
        {"change": "intent_added", "intent": name, "examples_added": 10},
    ) in audit_actions(db, "fanny")
    assert any(c["intention"] == name for c in web.get("/atelier/api/intentions").json())


def test_a_new_question_with_too_few_examples_is_refused_in_french(web: TestClient) -> None:
    sign_in(web, "fanny")
    body = new_question() | {"exemples": "\n".join(EXAMPLES[:4])}
    answer = post(web, "/question/apercu", body)
    assert answer.status_code == 422
    assert "au moins 10 exemples" in answer.json()["error"]


def test_an_intent_shown_then_edited(web: TestClient, project: Path) -> None:
    sign_in(web, "sam")
    # « Hors sujet » can be opened too: its examples are what Sésame must recognise as off-topic.
    modifier = web.get("/atelier/question").text.split('id="modifier-intention"', 1)[1].split("</select>")[0]
    assert '<option value="out_of_scope">Hors sujet</option>' in modifier
    assert len(web.get("/atelier/api/intentions/out_of_scope").json()["exemples"]) >= 10
    shown = web.get("/atelier/api/intentions/forgot_access_code").json()
    assert len(shown["exemples"]) >= 10
    assert web.get("/atelier/api/intentions/nimporte").status_code == 404
    body = {"ajouter": "j ai paume mon code atelier test"}
    preview = post(web, "/intentions/forgot_access_code/apercu", body)
    assert preview.status_code == 200, preview.text
    assert any("j ai paume mon code atelier test" in f["diff"] for f in preview.json()["fichiers"])
    assert preview.json()["resume"] == [
        "Exemples ajoutés à « J'ai oublié mon code d'accès » : « j ai paume mon code atelier test »."
    ]
    done = post(web, "/intentions/forgot_access_code", body)
    assert done.status_code == 200, done.text
    again = web.get("/atelier/api/intentions/forgot_access_code").json()
    assert "j ai paume mon code atelier test" in again["exemples"]


def test_a_conversation_saved_as_a_test_story(
    web: TestClient, db: Engine, project: Path, fallback_message: tuple[str, int]
) -> None:
    sign_in(web, "fanny")
    reference = reference_of(web, "conv-fallback")
    preview = post(web, "/conversation/apercu", {"conversation": reference.lower().replace("-", " ")})
    assert preview.status_code == 200, preview.text
    assert "stories:" in preview.json()["histoire"]
    assert not (project / preview.json()["fichier"]).exists()
    saved = post(web, "/conversation", {"conversation": reference})
    assert saved.status_code == 200
    assert (project / saved.json()["fichier"]).exists()
    assert "test_story_saved" in [a for a, _ in audit_actions(db, "fanny")]
    assert post(web, "/conversation", {}).status_code == 422
    refused = post(web, "/conversation/apercu", {"conversation": "conv-fallback"})  # an id is no reference
    assert refused.status_code == 422 and "référence" in refused.json()["error"]
    assert (
        post(web, "/conversation/apercu", {"conversation": reference_of(web, "absente")}).status_code == 422
    )
    assert post(web, "/conversation", {"prise_en_charge": 999}).status_code == 422
    # Listed with what contradicts the data (a message not understood, never decided), edited,
    # deleted; each change audited.
    name = saved.json()["fichier"].rsplit("/", 1)[-1]
    (listed,) = web.get("/atelier/api/histoires").json()["histoires"]
    assert listed["fichier"] == name and listed["tours"][0]["texte"] == "mon code a un zero au debut ca passe"
    assert "Sésame n'avait pas compris" in listed["avertissements"][0]
    edited = post(web, f"/histoires/{name}", {"changer": [{"numero": 1, "intention": "access_code_rules"}]})
    assert edited.status_code == 200, edited.text
    assert edited.json()["histoire"]["tours"][0]["libelle"] == "Le format du code d'accès (6 chiffres)"
    assert edited.json()["histoire"]["avertissements"] == []
    assert post(web, f"/histoires/{name}", {"retirer": [1]}).status_code == 422  # never the last turn
    assert post(web, f"/histoires/{name}/suppression").status_code == 200
    assert not (project / "tests" / "stories" / name).exists()
    assert post(web, f"/histoires/{name}/suppression").status_code == 404
    assert post(web, "/histoires/..%2Fintents.yml/suppression").status_code == 404
    actions = [a for a, _ in audit_actions(db, "fanny")]
    assert actions[-2:] == ["test_story_edited", "test_story_deleted"]


# --- check, report, statistics ---------------------------------------------------------------------


def wait_for(client: TestClient, path: str) -> dict[str, Any]:
    for _ in range(600):
        status: dict[str, Any] = client.get(f"/atelier/api{path}").json()
        if status["tache"] and status["tache"]["etat"] != "en_cours":
            return status
        time.sleep(0.1)
    raise AssertionError("the task never finished")


def test_the_check_runs_in_the_background_and_speaks_french(web: TestClient, db: Engine) -> None:
    sign_in(web, "fanny")
    started = post(web, "/verification")
    assert started.status_code == 202
    done = wait_for(web, "/verification")["tache"]
    assert done["etat"] == "echec"  # Rasa is "missing" here
    problems = done["resultat"]["problems"]
    assert problems[0]["rule"] == "rasa"
    assert "Rasa n'est pas installé" in problems[0]["message"]
    assert done["pourcentage"] == 100
    assert "data_check_started" in [a for a, _ in audit_actions(db, "fanny")]


def test_the_report_runs_in_the_background_and_is_served_under_a_strict_policy(
    web: TestClient, db: Engine, project: Path
) -> None:
    sign_in(web, "fanny")
    assert "Aucun rapport" in web.get("/atelier/rapport").text
    assert post(web, "/rapport").status_code == 202
    assert post(web, "/rapport").status_code in (202, 409)
    done = wait_for(web, "/rapport")
    assert done["tache"]["etat"] == "reussi", done
    assert done["tache"]["etapes"] == 2
    assert done["dernier_rapport"]["page"] == "/atelier/rapport"
    page = web.get("/atelier/rapport")
    assert "Rapport de Sésame" in page.text
    policy = page.headers["content-security-policy"]
    assert "script-src" not in policy and "default-src 'none'" in policy
    assert "'sha256-" in policy and "unsafe-inline" not in policy
    assert "report_started" in [a for a, _ in audit_actions(db, "fanny")]


def test_report_policy_hashes_each_inline_style() -> None:
    policy = report_policy("<style>a{}</style><p>x</p><style>b{}</style>")
    assert policy.count("'sha256-") == 2
    assert "img-src data:" in policy


def test_statistics(web: TestClient, fallback_message: tuple[str, int]) -> None:
    sign_in(web, "fanny")
    view = web.get("/atelier/api/statistiques", params={"depuis": "2026-11-15"})
    assert view.status_code == 200, view.text
    data = view.json()
    assert data["chiffres"][0]["libelle"] == "Messages des adhérents"
    assert data["colonnes"][0] == "Jour"
    assert web.get("/atelier/api/statistiques", params={"depuis": "2099-01-01"}).status_code == 400


def test_retrain_and_rollback_are_for_supervisors_and_stop_on_a_failed_check(
    web: TestClient, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    rolled_back: list[str] = []

    def fake_rollback(engine: Engine, settings: Settings, actor: str) -> history.Releases:
        rolled_back.append(actor)
        return history.Releases("sesame-b.tar.gz", "sesame-a.tar.gz")

    monkeypatch.setattr(loading, "rollback", fake_rollback)
    sign_in(web, "fanny")
    for path in ("/modele", "/modele/retour"):
        refused = post(web, path)
        assert refused.status_code == 403 and refused.json()["error"].startswith("Réservé aux superviseurs")
    assert "Entraîner et mettre en service" not in web.get("/atelier/verifier").text
    assert rolled_back == []
    web.cookies.clear()
    sign_in(web, "sam")
    assert "Entraîner et mettre en service" in web.get("/atelier/verifier").text
    assert post(web, "/modele").status_code == 202
    done = wait_for(web, "/modele")["tache"]
    # Rasa is "missing" here: the check fails, so nothing is trained and nothing changes.
    assert done["etat"] == "echec" and done["message"].startswith("La vérification a trouvé")
    assert "Rien n'a changé" in done["message"]
    assert post(web, "/modele/retour").json()["tache"]["etat"] == "echec"
    assert rolled_back == ["sam"]


def test_the_latest_report_date_is_said_in_french() -> None:
    from bot.workbench.reports import report_time

    assert report_time("2020-01-15T09:00:00+00:00") == "le 15 janvier à 10 h 00"  # Paris time
    assert report_time("pas une date") is None
