"""The yardstick for the handoff request: an empty FastAPI endpoint served by its own uvicorn process.

Run by bench/handoff_bench.py as `uvicorn bench.empty_app:app`; what the handoff request costs beyond this
is the handoff service's own work (validation, Redis calls, the enqueue script, the queue notice).
"""

from fastapi import FastAPI

from handoff_api.main import TELEMETRY

app = FastAPI(telemetry=TELEMETRY)  # the same framework settings as the handoff API


@app.post("/empty")
async def empty() -> dict[str, str]:
    return {}
