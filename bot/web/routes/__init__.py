"""Every router of the site, gathered in one place: ``site_router(reset_prefix)``.

``bot.web.app`` includes this one router; a new route module is added here, and
nowhere else. Route modules never import one another: what they share lives in
``bot.web.deps`` (dependencies) and ``bot.web.sign_in`` (the sign-in form).
"""

from __future__ import annotations

from fastapi import APIRouter

from bot.web.routes import (
    chat,
    chat_feedback,
    console_assistant,
    console_handoff_member,
    console_journal,
    console_members,
    console_pages,
    console_push,
    console_queue,
    live,
    pages,
    reset,
    workbench_account,
    workbench_inbox,
    workbench_intents,
    workbench_jobs,
    workbench_models,
    workbench_pages,
    workbench_stats,
    workbench_stories,
)
from bot.web.routes.pages import load_static_files
from bot.web.workbench_deps import new_workbench

# What the app needs besides the routes: the workbench's state and the static files it serves.
__all__ = ["load_static_files", "new_workbench", "site_router"]


def site_router(reset_prefix: str) -> APIRouter:
    """All the site's routes; the reset page lives under ``reset_prefix`` (``RESET_URL_BASE``'s path)."""
    router = APIRouter()
    for part in (
        pages.router,
        reset.reset_router(reset_prefix),
        chat.router,
        chat_feedback.router,
        live.router,
        console_pages.pages,
        console_pages.api,
        console_assistant.router,
        console_members.router,
        console_handoff_member.router,
        console_journal.router,
        console_queue.router,
        console_push.router,
        workbench_pages.router,
        workbench_account.router,
        workbench_intents.router,
        workbench_inbox.router,
        workbench_jobs.router,
        workbench_models.router,
        workbench_stories.router,
        workbench_stats.router,
    ):
        router.include_router(part)
    return router
