"""The `proficio` command: serve a home, load the demo district, or run Django management.

Every command first prepares the home (settings, secret key, migrations), so each
one works on a fresh machine; a command that must not migrate a database already in use says
so with `pending_migrations` (see `PendingMigrations`). Django and the apps are imported only
after that: importing models before `django.setup()` fails.
"""

import argparse
import json
import os
import sys
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from gunicorn.app.base import BaseApplication

from proficio.agency.cli import register as register_agency
from proficio.backup.cli import register as register_backup
from proficio.home import PRIVATE_UMASK, PendingMigrations, home_dir, home_tighten
from proficio.interop.cli import register as register_interop
from proficio.lib.errors import ProficioError
from proficio.lib.progress import ProgressBar
from proficio.lrs.cli import register as register_lrs
from proficio.onboarding.cli import register as register_onboarding
from proficio.privacy.cli import register as register_privacy
from proficio.supervise import Supervised

if TYPE_CHECKING:
    from proficio.demo import DemoLogin

INTERRUPTED = 130  # the shell's exit status for a command ended by Ctrl+C
THREADS = 4  # per worker (ADR 0026)
ACCESS_LOG_FORMAT = '%(h)s %(l)s %(u)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms %(p)s'
RECOMPUTE_COUNTS = (
    "students",
    "evidence_rows",
    "records_written",
    "working_stages_written",
    "history_rows",
)


def main(argv: Sequence[str] | None = None) -> int:
    # Whatever this process writes (the database, uploads, backups) is its user's alone.
    os.umask(PRIVATE_UMASK)
    argv = list(sys.argv[1:] if argv is None else argv)
    # Everything after `manage` belongs to Django, options included, so argparse never sees it.
    if argv[:1] == ["manage"]:
        return _run(lambda: _manage(argv[1:]))
    args = _parser().parse_args(argv)
    pending = getattr(args, "pending_migrations", PendingMigrations.APPLY)
    return _run(lambda: args.command(args), pending)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="proficio",
        description="Proficio, a mastery-based learning management system. "
        "Data lives in PROFICIO_HOME (default ~/.proficio).",
    )
    commands = parser.add_subparsers(title="commands", required=True, metavar="COMMAND")

    start = commands.add_parser("start", help="serve the site (production-grade, no reload)")
    start.add_argument("--host", default="127.0.0.1", help="address to listen on")
    start.add_argument("--port", type=int, default=8000)
    start.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes (default: one per core this process may use)",
    )
    start.add_argument(
        "--threads", type=int, default=THREADS, help=f"threads per worker (default: {THREADS})"
    )
    start.add_argument(
        "--no-task-worker",
        dest="task_worker",
        action="store_false",
        help="do not start the background task worker beside the server "
        "(run `proficio manage db_worker` elsewhere instead)",
    )
    start.set_defaults(command=_start)

    recompute = commands.add_parser(
        "recompute",
        help="recompute every student's mastery from the evidence, under the policies in force",
    )
    recompute.add_argument("--district", help="only this district: its id or UUID")
    recompute.add_argument("--json", action="store_true", help="print the figures as JSON")
    recompute.set_defaults(command=_recompute)

    fit_bkt = commands.add_parser(
        "fit-bkt",
        help="fit knowledge tracing's parameters per competency from the district's answers",
        description="Fit knowledge tracing's guess, slip, learn and prior for each competency "
        "from the district's own right and wrong answers (ratings at the scale's mastery "
        "level count as right), then recompute the mastery of policies that trace "
        "knowledge. Queued for the task worker that `proficio start` runs, unless --now.",
    )
    fit_bkt.add_argument(
        "--district",
        metavar="DISTRICT",
        help="the district (uuid, number or name); may be left out when there is one",
    )
    fit_bkt.add_argument(
        "--now", action="store_true", help="fit here and now instead of in the background"
    )
    fit_bkt.set_defaults(command=_fit_bkt)

    audit = commands.add_parser("audit", help="look after the audit trail")
    audit_commands = audit.add_subparsers(title="audit commands", required=True, metavar="ACTION")
    prune = audit_commands.add_parser(
        "prune", help="remove audit entries older than the retention period"
    )
    prune.add_argument(
        "--older-than-days",
        type=int,
        metavar="N",
        help="remove entries older than N days "
        "(default: PROFICIO_AUDIT_RETENTION_DAYS, seven years unless set)",
    )
    prune.set_defaults(command=_audit_prune, pending_migrations=PendingMigrations.REFUSE)

    demo = commands.add_parser("demo", help="load the demo district into an empty home")
    demo.add_argument(
        "--if-empty",
        action="store_true",
        help="do nothing (and succeed) when the database already holds a district",
    )
    demo.add_argument("--students", type=int, default=200, help="how many students to create")
    demo.set_defaults(command=_demo)

    register_onboarding(commands)
    register_interop(commands)
    register_lrs(commands)
    register_backup(commands)
    register_privacy(commands)
    register_agency(commands)
    commands.add_parser(
        "manage", help="run a Django management command, e.g. `proficio manage createsuperuser`"
    )
    return parser


def _run(command: Callable[[], int], pending: PendingMigrations = PendingMigrations.APPLY) -> int:
    """Run after preparing the home; expected errors become one line on stderr and exit 1,
    Ctrl+C one line and exit 130 (the command has already recorded what it stopped)."""
    try:
        _prepare_home(pending)
        return command()
    except ProficioError as error:
        print(f"proficio: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("proficio: stopped (Ctrl+C).", file=sys.stderr)
        return INTERRUPTED


def _prepare_home(pending: PendingMigrations = PendingMigrations.APPLY) -> None:
    """Settings from the home (created with its secret key on first use), then migrations as
    the command asks (`pending`)."""
    if tightened := home_tighten():
        print(f"proficio: {tightened}", file=sys.stderr, flush=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "proficio.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    if not plan:
        return
    if executor.loader.applied_migrations and pending != PendingMigrations.APPLY:
        if pending == PendingMigrations.REFUSE:
            noun = "migration" if len(plan) == 1 else "migrations"
            raise ProficioError(
                f"The database of {home_dir()} is {len(plan):,} {noun} behind this version of "
                "Proficio, and a site still running the older one may be using it as it is. "
                "Restart the site (`proficio start` migrates it), then run this again."
            )
        return
    print(f"Preparing the database for {home_dir()} …", flush=True)
    call_command("migrate", interactive=False, verbosity=0, skip_checks=True)


def default_workers() -> int:
    """One worker process per core this process may run on (ADR 0026)."""
    if hasattr(os, "sched_getaffinity"):  # Linux: the cores a container or taskset allows
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


class _Server(BaseApplication):
    """Gunicorn, embedded so that `proficio start` needs no separate configuration."""

    def __init__(self, application: Any, options: dict[str, Any]):
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            # Settings this gunicorn does not know (older releases lack some) are skipped.
            if key in self.cfg.settings:
                self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application


def _startup_notes(*, task_worker: bool, url: str = "") -> list[str]:
    """What an operator must know before people rely on the site: work that will not happen,
    and on a fresh home how to set it up."""
    from django.conf import settings

    from proficio.onboarding.api import district_needs_setup, setup_code, setup_code_path

    notes = []
    if district_needs_setup():
        notes.append(
            f"No district yet: open {url}setup/ and enter the setup code {setup_code()} "
            f"(kept in {setup_code_path()}), or run `proficio setup`; `proficio demo` loads "
            "the demo district instead."
        )
    if settings.EMAIL_BACKEND.endswith("filebased.EmailBackend"):
        notes.append(
            f"Mail is not sent: password reset links are written to {settings.EMAIL_FILE_PATH}. "
            "Set PROFICIO_EMAIL_URL to send mail (README, Mail)."
        )
    if not task_worker:
        notes.append(
            "No task worker: recomputes and mail wait until `proficio manage db_worker` runs."
        )
    return notes


def _start(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connections

    # Whitenoise serves static files from the home with DEBUG off; it indexes them when the
    # application loads, so they are collected first.
    call_command("collectstatic", interactive=False, verbosity=0)
    from proficio.config.wsgi import application

    connections.close_all()  # each worker opens its own connections after the fork
    # Policy recomputes and other background work run in a worker process beside the server,
    # started again whenever it ends.
    task_worker = None
    if args.task_worker:
        task_worker = Supervised(
            [sys.executable, "-m", "proficio.cli", "manage", "db_worker", "--no-reload"],
            name="background task worker",
        )
        task_worker.start()
    parent = os.getpid()
    url = f"http://{args.host}:{args.port}/"

    def announce(server: Any) -> None:
        print(f"Proficio is running at {url}  (Ctrl+C stops it)", flush=True)
        for note in _startup_notes(task_worker=args.task_worker, url=url):
            print(note, flush=True)

    server = _Server(
        application,
        {
            "bind": f"{args.host}:{args.port}",
            "workers": args.workers,
            "worker_class": "gthread",
            "threads": args.threads,
            # A kept-alive connection stays with the worker that accepted it, so a few busy
            # clients (or a proxy's pooled connections) would load one worker while the others
            # idle: each response closes its connection and the next request is accepted by
            # whichever worker takes it (ADR 0026).
            "keepalive": 0,
            "accesslog": "-",
            # Gunicorn's own format, then the time taken and the worker's pid (`<1234>`), so a
            # log shows how requests spread over the workers.
            "access_log_format": ACCESS_LOG_FORMAT,
            "errorlog": "-",
            "when_ready": announce,
            # A control socket lives in one shared path per user; two sites would collide.
            "control_socket_disable": True,
            # The request line and headers are refused past these sizes before Django sees
            # them; bodies are limited by Proficio's middleware (PROFICIO_MAX_UPLOAD_MB).
            "limit_request_line": 4094,
            "limit_request_fields": 64,
            "limit_request_field_size": 8190,
        },
    )
    try:
        server.run()
    finally:
        # Gunicorn's forked workers leave through here too: only the parent stops the child.
        if task_worker is not None and os.getpid() == parent:
            task_worker.stop()
    return 0


def _fit_bkt(args: argparse.Namespace) -> int:
    from proficio.mastery.api import tracing_fit_district, tracing_fit_queue
    from proficio.people.api import district_named

    district = district_named(args.district)
    if not args.now:
        tracing_fit_queue(district=district)
        print(
            f"Queued knowledge tracing's fit for {district.name}: the task worker beside "
            "`proficio start` fits it, then recomputes the policies that trace knowledge."
        )
        return 0
    summary = tracing_fit_district(district=district)
    for fit in summary.fitted:
        params = fit.params
        print(
            f"{fit.code}: guess {params.guess:.2f}, slip {params.slip:.2f}, "
            f"learn {params.learn:.2f}, prior {params.prior:.2f} "
            f"from {fit.answers:,} answers of {fit.students:,} students"
        )
    if summary.too_few_answers:
        print(
            f"Too few answers to fit (they keep what they had): "
            f"{', '.join(summary.too_few_answers)}"
        )
    print(
        f"Fitted {len(summary.fitted)} competencies of {district.name}; "
        f"{summary.recomputes} recomputes queued for the policies that trace knowledge."
    )
    return 0


def _recompute(args: argparse.Namespace) -> int:
    from django.core.exceptions import ValidationError

    from proficio.mastery.api import recompute_run_begin, recompute_run_execute
    from proficio.people.api import District

    districts = District.objects.order_by("pk")
    if args.district:
        key = "uuid" if not args.district.isdigit() else "pk"
        try:
            districts = list(districts.filter(**{key: args.district}))
        except (ValueError, ValidationError):
            districts = []
        if not districts:
            raise ProficioError(f"There is no district {args.district}.")
    began = time.perf_counter()
    results = []
    bar = ProgressBar(unit="students recomputed")
    for district in districts:
        # A run on the policies page like a background recompute's, beating as it goes: if
        # this process is killed, the worker takes the run over when its lease runs out.
        results.append(
            recompute_run_execute(
                run=recompute_run_begin(district=district),
                progress=lambda done, total, _rows, name=str(district): bar(name, done, total),
            )
        )
    seconds = time.perf_counter() - began
    figures = {
        "districts": len(results),
        **{name: sum(getattr(result, name) for result in results) for name in RECOMPUTE_COUNTS},
        "seconds": round(seconds, 3),
    }
    figures["rows_per_second"] = round(figures["evidence_rows"] / seconds) if seconds else 0
    if args.json:
        print(json.dumps(figures))
        return 0
    print(
        f"Recomputed {figures['evidence_rows']:,} ratings of {figures['students']:,} students "
        f"in {seconds:.1f} s ({figures['rows_per_second']:,} rows/s): "
        f"{figures['records_written']:,} stage records and "
        f"{figures['working_stages_written']:,} working stages changed, "
        f"{figures['history_rows']:,} earlier values kept as history."
    )
    return 0


def _audit_prune(args: argparse.Namespace) -> int:
    from django.conf import settings

    from proficio.audit.api import prune

    days = args.older_than_days
    if days is None:
        days = settings.PROFICIO_AUDIT_RETENTION_DAYS
    removed = prune(older_than_days=days)
    noun = "entry" if removed == 1 else "entries"
    print(f"Removed {removed:,} audit {noun} older than {days:,} days.")
    return 0


def _demo(args: argparse.Namespace) -> int:
    from proficio.demo import DEMO_LOGINS, database_has_district, demo_is_loaded, load_demo

    if database_has_district():
        if not args.if_empty:
            raise ProficioError(
                "The database already holds a district; the demo loads only into an empty one "
                "(point PROFICIO_HOME at a new folder, or pass --if-empty to skip)."
            )
        if demo_is_loaded():
            print("The demo district is already loaded.")
            _print_logins(DEMO_LOGINS)
        else:
            print("The database already holds a district; the demo was not loaded.")
        return 0
    began = time.perf_counter()
    summary = load_demo(students=args.students)
    print(
        f"Loaded the demo district {summary.district} in {time.perf_counter() - began:.1f} s: "
        f"{summary.students} students, {summary.guardians} guardians, "
        f"{summary.teachers} teachers, {summary.sections} sections, "
        f"{summary.evidence:,} ratings."
    )
    _print_logins(summary.logins)
    return 0


def _print_logins(logins: Sequence["DemoLogin"]) -> None:
    rows = [("Role", "Username", "Password")]
    rows += [(login.role, login.username, login.password) for login in logins]
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    print("\nSign in with:")
    for row in rows:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        print(("  " + "   ".join(cells)).rstrip())
    print("\nStart the site with `proficio start`.")


def _manage(arguments: list[str]) -> int:
    from django.core.management import execute_from_command_line

    execute_from_command_line(["proficio manage", *arguments])
    return 0


if __name__ == "__main__":
    sys.exit(main())
