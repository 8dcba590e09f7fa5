"""`rigport serve` and `rigport demo`: the API (and dashboard) over HTTP with uvicorn."""

from __future__ import annotations

import subprocess
import sys

import typer

from rigport.entrypoints.cli.output import console, err_console, print_json


def run_server(host: str, port: int, workers: int, access_log: bool = True) -> None:
    from rigport.services import db
    from rigport.settings import get_settings

    db.hold_while_serving(get_settings())  # first: every database connection of the server is marked
    db.upgrade()
    builder = _build_screening_index_in_background()
    try:
        _run_uvicorn(host, port, workers, access_log)
    finally:
        if builder is not None and builder.poll() is None:
            builder.terminate()


def _run_uvicorn(host: str, port: int, workers: int, access_log: bool) -> None:
    import uvicorn
    from uvicorn.supervisors import Multiprocess

    from rigport.entrypoints.api.server import BalancedMultiprocess, TcpConfig, balanced_workers_supported

    config = TcpConfig(
        "rigport.entrypoints.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        access_log=access_log,
        proxy_headers=False,
    )
    if workers > 1 and balanced_workers_supported():
        BalancedMultiprocess(config).run()
    elif workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
    else:
        uvicorn.Server(config).run()


_BUILD_INDEX = "from rigport.services import screening; from rigport.settings import get_settings; " \
    "screening.warm_index(get_settings(), build=True)"


def _die_with_parent() -> None:
    """Linux: the builder gets SIGTERM when the server's process ends, even by SIGKILL (no orphan builds)."""
    import contextlib
    import ctypes
    import signal

    with contextlib.suppress(OSError, AttributeError):  # elsewhere the builder finishes its one build and exits
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def _build_screening_index_in_background() -> subprocess.Popen[bytes] | None:
    """Build (and cache) the screening index in a child process while the server starts, so the first
    /screening after a fresh install or a list update loads the cache instead of waiting for the build
    (issue #30). A child, not a thread: a build holds the interpreter for seconds, and in the serving
    process it stalled the first requests past their clients' timeouts. The server loads the cache the
    child writes (or builds itself when asked before the cache is there)."""
    import threading

    try:
        builder = subprocess.Popen(
            [sys.executable, "-c", _BUILD_INDEX],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=_die_with_parent if sys.platform == "linux" else None,
        )  # fmt: skip
    except OSError as exc:  # the first screen builds (or reports) it instead
        err_console.print(f"screening index not built at start: {exc}", highlight=False)
        return None
    # Reaped as soon as it ends: else it stayed a zombie child for the server's whole life, which a process
    # supervisor (or anyone counting the server's workers) takes for a worker.
    threading.Thread(target=builder.wait, name="index-builder-reaper", daemon=True).start()
    return builder


def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="uvicorn worker processes."),
    access_log: bool = typer.Option(True, "--access-log/--no-access-log", help="Log every request (costs CPU)."),
) -> None:
    """Serve the dashboard (at /) and the REST API (OpenAPI at /openapi.json)."""
    run_server(host, port, workers, access_log)


def demo(
    host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    no_serve: bool = typer.Option(False, "--no-serve", help="Only seed the demo data."),
    as_json: bool = typer.Option(False, "--json", help="Machine-readable summary on stdout."),
) -> None:
    """Seed the 2024-25 port-crisis demo scenario (idempotent), then serve it."""
    from rigport.services import auth
    from rigport.services.demo import seed

    out = err_console if as_json else console  # stdout carries only the JSON document with --json
    with out.status("seeding demo shipments..."):
        result = seed(progress=lambda ref: out.print(f"  seeded {ref}", highlight=False))
    import secrets

    token, _ = auth.create_token("operator", "demo")
    password = secrets.token_urlsafe(12)
    auth.set_user("demo", password, "operator")
    if as_json:
        print_json({**result, "operator_token": token, "dashboard_user": "demo", "dashboard_password": password})
    else:
        console.print(
            f"demo data: {len(result['created'])} shipments created, {len(result['skipped'])} already present; "
            f"{result['units']:,} units, ${result['declared_value_usd']:,.0f} declared",
            highlight=False,
        )
        console.print(f"operator token for the API and dashboard (shown once): {token}", highlight=False)
        console.print(f"dashboard sign-in: user [bold]demo[/], password [bold]{password}[/] (new each run)",
                      highlight=False)  # fmt: skip
    if not no_serve:
        console.print(f"dashboard on http://{host}:{port}/  (API docs at /docs, Ctrl-C to stop)", highlight=False)
        run_server(host, port, 1)
