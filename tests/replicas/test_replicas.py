"""Two Rasa replicas share conversations; faults get a French answer and lose nothing.

Through real processes (``tests/replicas/conftest.py``): two Rasa servers on one
PostgreSQL conversation store and one Redis lock, two action servers, two web workers,
HAProxy in front. The tests run in file order: each fault is undone before the next.
"""

from __future__ import annotations

import signal
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import text

from bot.agents import accounts
from bot.db.engine import session_scope
from tests.replicas.conftest import Production

FORGOT = "j'ai oublié mon code d'accès"
# The fallback of rasa_addons.turn_guard (env A, not importable here).
ACTION_SERVER_DOWN = "une partie de Sésame est momentanément indisponible"


def texts(messages: list[dict[str, Any]]) -> str:
    return " ".join(str(message.get("text", "")) for message in messages)


def spaced(nir: str) -> str:
    return " ".join((nir[0], nir[1:3], nir[3:5], nir[5:7], nir[7:10], nir[10:13], nir[13:]))


def chat_texts(production: Production, sender: str, message: str, address: str) -> str:
    answer = production.chat(sender, message, address)
    assert answer.status_code == 200, answer.text
    return texts(answer.json()["messages"])


def test_messages_alternating_between_two_replicas_make_one_conversation(production: Production) -> None:
    sender, nir = "alterne-0123456789abcdef", production.take_member()
    turns = [(1, "bonjour"), (2, FORGOT), (1, "oui"), (2, spaced(nir)), (1, "oui")]
    answers = [texts(production.to_replica(replica, sender, message)) for replica, message in turns]
    assert "numéro de Sécurité sociale" in answers[2]  # replica 1 knows replica 2 started the form
    assert "J'ai bien trouvé votre dossier" in answers[3]
    assert answers[4].startswith("C'est fait : un e-mail de réinitialisation part vers")
    events = production.user_events(sender)
    assert len(events) == len(turns)  # none lost, none stored twice
    assert [event["timestamp"] for event in events] == sorted(event["timestamp"] for event in events)
    assert nir not in str(events) and spaced(nir) not in str(events)


def test_concurrent_messages_of_one_conversation_on_both_replicas_are_all_kept(
    production: Production,
) -> None:
    sender = "concurrent-0123456789abcdef"
    production.to_replica(1, sender, "bonjour")
    messages = [(1 + i % 2, question) for i, question in enumerate(["merci", "au revoir", "bonjour"] * 2)]
    with ThreadPoolExecutor(max_workers=len(messages)) as pool:
        answers = list(pool.map(lambda turn: production.to_replica(turn[0], sender, turn[1]), messages))
    assert all(answer for answer in answers)  # every message got the bot's answer
    events = production.user_events(sender)
    assert len(events) == 1 + len(messages)
    timestamps = [event["timestamp"] for event in events]
    assert len(set(timestamps)) == len(timestamps) and timestamps == sorted(timestamps)


def test_a_replica_killed_mid_conversation_the_other_goes_on_with_its_history(production: Production) -> None:
    sender, address, nir = "replique-tuee-0123456789ab", production.new_address(), production.take_member()
    chat_texts(production, sender, FORGOT, address)
    asked = chat_texts(production, sender, "oui", address)
    assert "numéro de Sécurité sociale" in asked
    serving = production.last_rasa_server()
    mark = production.balancer_log_mark()
    production.signal_process(serving, signal.SIGKILL)
    # The next message reaches the other replica, which rebuilds the conversation from
    # PostgreSQL: it is still inside the form, waiting for the number.
    answer = production.chat(sender, spaced(nir), address)
    if answer.status_code == 503:  # caught between the kill and the balancer noticing it:
        time.sleep(1)  # the widget keeps the message and sends it again, as here
        answer = production.chat(sender, spaced(nir), address)
    assert answer.status_code == 200, answer.text
    found = texts(answer.json()["messages"])
    assert "J'ai bien trouvé votre dossier" in found
    assert production.last_rasa_server() != serving
    done = chat_texts(production, sender, "oui", address)
    assert done.startswith("C'est fait : un e-mail de réinitialisation part vers")
    # The supervisor starts the killed replica again, and the balancer takes it back.
    production.wait_in_balancer_log(rf"{serving} is UP", since=mark, seconds=300)


def test_action_servers_down_the_member_gets_a_fallback_not_silence(production: Production) -> None:
    sender, address, nir = "actions-hs-0123456789abcd", production.new_address(), production.take_member()
    chat_texts(production, sender, FORGOT, address)
    chat_texts(production, sender, "oui", address)
    mark = production.balancer_log_mark()
    for name in ("actions-1", "actions-2"):
        production.signal_process(name, signal.SIGSTOP)
    try:
        for name in ("actions-1", "actions-2"):
            production.wait_in_balancer_log(rf"action_servers/{name} is DOWN", since=mark)
        down = chat_texts(production, sender, spaced(nir), address)
        assert ACTION_SERVER_DOWN in down
    finally:
        for name in ("actions-1", "actions-2"):
            production.signal_process(name, signal.SIGCONT)
    for name in ("actions-1", "actions-2"):
        production.wait_in_balancer_log(rf"action_servers/{name} is UP", since=mark)
    # Back: the member types the number again and the request goes through.
    again = chat_texts(production, sender, spaced(nir), address)
    assert "J'ai bien trouvé votre dossier" in again or "numéro de Sécurité sociale" in again


def test_redis_restarted_turns_wait_then_go_on(production: Production) -> None:
    sender, address = "redis-relance-0123456789a", production.new_address()
    asked = chat_texts(production, sender, FORGOT, address)
    production.redis.kill()
    try:
        refused = production.chat(sender, "oui", address)
        # The lock cannot be taken: the turn is refused as a whole (nothing stored), and
        # the widget keeps the message and sends it again.
        assert refused.status_code == 503
        assert "momentanément indisponible" in refused.json()["error"]
    finally:
        production.redis.start()
    after = chat_texts(production, sender, "oui", address)
    assert "numéro de Sécurité sociale" in after, (asked, after)
    assert [event["text"] for event in production.user_events(sender)] == [FORGOT, "oui"]


def test_member_database_down_the_member_is_told_and_offered_an_agent(production: Production) -> None:
    sender, address, nir = "base-hs-0123456789abcdef", production.new_address(), production.take_member()
    chat_texts(production, sender, FORGOT, address)
    chat_texts(production, sender, "oui", address)
    name = production.members_url.rsplit("/", 1)[1]
    admin = production.conversations().execution_options(isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
        connection.execute(
            text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :n AND pid <> pg_backend_pid()"
            ),
            {"n": name},
        )
    try:
        answer = production.chat(sender, spaced(nir), address)
        assert answer.status_code == 200, answer.text
        messages = answer.json()["messages"]
        assert "momentanément indisponible" in texts(messages)
        assert any(button["payload"] == "/request_human" for m in messages for button in m["buttons"])
        # The questions of the help document still get their answer.
        faq = chat_texts(
            production, "faq-base-hs-0123456789", "comment me connecter la première fois ?", address
        )
        assert faq and "indisponible" not in faq
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()


def again_if_cut(client: httpx.Client, path: str, body: dict[str, Any]) -> httpx.Response:
    """POST as the widget and the console do: sent again when the connection was cut.

    A worker killed under an idle kept-alive connection cuts it; the widget keeps the
    message and sends it again (as when offline), and the balancer picks a live worker.
    """
    for attempt in range(3):
        try:
            answer = client.post(path, json=body)
        except httpx.TransportError:
            if attempt == 2:
                raise
        else:
            if answer.status_code not in {502, 503} or attempt == 2:
                return answer
        time.sleep(1)
    raise AssertionError("unreachable")


def test_smtp_down_the_outbox_keeps_the_email_until_it_is_back(production: Production) -> None:
    sender, address, nir = "smtp-hs-0123456789abcdef", production.new_address(), production.take_member()
    mail_dir = production.running.run_dir / "mail"
    before = len(list(mail_dir.glob("*.eml")))
    production.signal_process("smtp-sink", signal.SIGSTOP)  # it accepts connections, never answers
    try:
        chat_texts(production, sender, FORGOT, address)
        chat_texts(production, sender, "oui", address)
        chat_texts(production, sender, spaced(nir), address)
        done = chat_texts(production, sender, "oui", address)
        assert done.startswith("C'est fait : un e-mail de réinitialisation part vers")
        time.sleep(2)
        with production.members().connect() as connection:
            status = connection.execute(text("SELECT status FROM outbox ORDER BY id DESC LIMIT 1")).scalar()
        assert status in {"pending", "sending"}  # kept, not lost, not failed
        assert len(list(mail_dir.glob("*.eml"))) == before
    finally:
        production.signal_process("smtp-sink", signal.SIGCONT)
    deadline = time.monotonic() + 90  # the worker's SMTP timeout, then its next try
    while len(list(mail_dir.glob("*.eml"))) == before:
        assert time.monotonic() < deadline, "the email never left the outbox"
        time.sleep(0.5)
    with production.members().connect() as connection:
        assert (
            connection.execute(text("SELECT status FROM outbox ORDER BY id DESC LIMIT 1")).scalar() == "sent"
        )


def test_a_web_worker_killed_while_a_member_waits_for_an_agent(production: Production) -> None:
    login, password = "prod-direct", "Relais-en-production-2026"
    engine = production.members()
    with session_scope(engine) as session:
        accounts.add_agent(session, login, password, actor="cli:test", display_name="Dominique")
    page = f"http://127.0.0.1:{production.web_port}"
    member_transport = httpx.HTTPTransport(local_address=production.new_address(), retries=2)
    with (
        httpx.Client(base_url=page, trust_env=False, timeout=60, headers={"Origin": page}) as agent,
        httpx.Client(
            base_url=page, trust_env=False, timeout=60, headers={"Origin": page}, transport=member_transport
        ) as member,
    ):
        signed = agent.post(
            "/conseiller/connexion",
            data={"identifiant": login, "mot_de_passe": password},
            follow_redirects=True,
        )
        assert signed.status_code == 200
        assert agent.post("/conseiller/api/disponibilite", json={"disponible": True}).status_code == 200
        sender = "attente-conseiller-0123456789"
        asked = member.post("/chat", json={"sender": sender, "message": "je veux parler à un conseiller"})
        assert asked.status_code == 200 and "handoff" in asked.json(), asked.text
        handoff_id = asked.json()["handoff"]["id"]
        production.signal_process("web-1", signal.SIGKILL)
        waiting = again_if_cut(member, "/chat", {"sender": sender, "message": "je suis toujours là"})
        assert waiting.status_code == 200, waiting.text
        assert "Votre message est transmis" in texts(waiting.json()["messages"])
        taken = again_if_cut(agent, f"/conseiller/api/prises-en-charge/{handoff_id}/prendre", {})
        assert taken.status_code == 200, taken.text
        sent = agent.post(
            f"/conseiller/api/prises-en-charge/{handoff_id}/messages", json={"texte": "Bonjour !"}
        )
        assert sent.status_code == 200, sent.text
        # Nothing the member said while the worker died is lost: the agent sees it.
        lines = agent.get(f"/conseiller/api/prises-en-charge/{handoff_id}").json()["messages"]
        assert any(line.get("texte") == "je suis toujours là" for line in lines), lines
        # The member's stream, on whichever worker is alive, brings the agent's message.
        received = []
        with member.stream("GET", "/chat/flux", params={"sender": sender}, timeout=30) as stream:
            assert stream.status_code == 200
            for line in stream.iter_lines():
                if line.startswith("data: ") and "Bonjour !" in line:
                    received.append(line)
                    break
        assert received
        agent.post(f"/conseiller/api/prises-en-charge/{handoff_id}/fermer", json={})
        agent.post("/conseiller/api/disponibilite", json={"disponible": False})
    engine.dispose()


def test_no_nir_in_any_stored_column_after_the_replicated_conversations(production: Production) -> None:
    assert production.used_nirs
    for engine in (production.conversations(), production.members()):
        try:
            with engine.connect() as connection:
                columns = connection.execute(
                    text(
                        "SELECT table_name, column_name FROM information_schema.columns "
                        "WHERE table_schema = 'public' "
                        "AND data_type IN ('text', 'character varying', 'json', 'jsonb')"
                    )
                ).all()
                assert columns
                for table, column in columns:
                    for nir in production.used_nirs:
                        for written in (nir, spaced(nir), nir[:13]):
                            found = connection.execute(
                                # Names from information_schema, not from input.
                                text(f'SELECT count(*) FROM "{table}" WHERE "{column}"::text LIKE :p'),  # noqa: S608
                                {"p": f"%{written}%"},
                            ).scalar()
                            assert found == 0, f"{written[:3]}… stored in {table}.{column}"
        finally:
            engine.dispose()
    for log in production.running.log_dir.glob("*.log"):
        content = log.read_text(encoding="utf-8", errors="replace")
        for nir in production.used_nirs:
            assert nir not in content and spaced(nir) not in content, log.name
