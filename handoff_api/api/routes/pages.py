"""The static pages (web chat, agent console, supervisor view, trainer's inbox); assets under /static."""

from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse

STATIC_DIR = Path(__file__).resolve().parents[2] / "static"

router = APIRouter(include_in_schema=False)


@router.get("/")
async def web_chat() -> FileResponse:
    return FileResponse(STATIC_DIR / "index.html")


@router.get("/agent")
async def agent_console() -> FileResponse:
    return FileResponse(STATIC_DIR / "agent.html")


@router.get("/supervisor")
async def supervisor_view() -> FileResponse:
    return FileResponse(STATIC_DIR / "supervisor.html")


@router.get("/trainer")
async def trainer_inbox() -> FileResponse:
    return FileResponse(STATIC_DIR / "trainer.html")
