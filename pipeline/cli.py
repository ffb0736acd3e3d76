"""The `nianbao` command line. No traceback ever reaches a user: every failure is a sentence."""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

EXIT_OK, EXIT_FINDINGS, EXIT_UNREADABLE, EXIT_INTERNAL = 0, 1, 2, 3


def _expand(paths: list[str]) -> list[str]:
    """Files named on the command line; folders are walked (hidden files skipped)."""
    out: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            for f in sorted(path.rglob("*")):
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts):
                    out.append(str(f))
        else:
            out.append(p)
    return out


def _write(line: str) -> None:
    sys.stdout.write(line)
    if not line.endswith("\n"):
        sys.stdout.write("\n")


def cmd_parse(args: argparse.Namespace) -> int:
    from .parse import parse_file
    from .render_text import draw

    files = _expand(args.paths)
    if not files:
        print("nianbao parse: no files found in " + ", ".join(args.paths), file=sys.stderr)
        return EXIT_UNREADABLE
    status = EXIT_OK
    from .inbox import display_path

    for f in files:
        result = parse_file(f)
        result["path"] = display_path(str(result.get("path", f)))  # a non-UTF-8 name, printable
        if "error" in result:
            status = EXIT_UNREADABLE
        if args.json:
            _write(json.dumps(result, ensure_ascii=False))
        else:
            _write(draw(result))
        sys.stdout.flush()
    return status


def cmd_check(args: argparse.Namespace) -> int:
    from .checks.cli import run_check

    return run_check(_expand(args.paths), previous=args.previous, as_json=args.json, deadline=args.deadline)


def cmd_run(args: argparse.Namespace) -> int:
    from .run import run_cli

    return run_cli(inbox=args.inbox, db=args.db, out=args.out, year=args.year, quiet=args.quiet)


def cmd_ui(args: argparse.Namespace) -> int:
    """The Dagster UI on the same definitions, DAGSTER_HOME inside the run folder, telemetry off."""
    import shutil

    from .settings import from_env, prepare_dagster_home

    settings = from_env(inbox=args.inbox, out=args.out)
    home = prepare_dagster_home(settings)
    exe = shutil.which("dagster") or str(Path(sys.executable).parent / "dagster")
    if not Path(exe).exists():
        print("nianbao ui: the dagster command is not installed in this environment", file=sys.stderr)
        return 2
    env = dict(os.environ, DAGSTER_HOME=str(home), NIANBAO_INBOX=str(settings.inbox), NIANBAO_OUT=str(settings.out))
    print(f"DAGSTER_HOME={home}\nopen http://127.0.0.1:{args.port} (Ctrl-C to stop)", file=sys.stderr)
    os.execve(exe, [exe, "dev", "-m", "pipeline.definitions", "-p", str(args.port)], env)
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="nianbao",
        description="Collect, check and compare annual reports on government information disclosure "
        "(政府信息公开工作年度报告).",
    )
    sub = ap.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser("parse", help="read reports (text, HTML, Word, PDF) into the codebook")
    p.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    p.add_argument("--json", action="store_true", help="one JSON object per file per line")
    p.set_defaults(func=cmd_parse)

    c = sub.add_parser("check", help="check reports against the rules that need no warehouse")
    c.add_argument("paths", nargs="+", metavar="PATH", help="report files or folders")
    c.add_argument("--json", action="store_true", help="one JSON object per file per line")
    c.add_argument("--previous", metavar="PATH", help="the same body's report for the year before")
    c.add_argument(
        "--deadline", metavar="MM-DD", default=None, help="publication deadline in the following year (default 01-31)"
    )
    c.set_defaults(func=cmd_check)

    r = sub.add_parser("run", help="run the whole pipeline (with no arguments: on the bundled sample)")
    r.add_argument("--inbox", metavar="DIR", help="folder of reports (default: the bundled sample)")
    r.add_argument("--db", metavar="FILE", help="the published DuckDB file (default: <out>/nianbao.duckdb)")
    r.add_argument("--out", metavar="DIR", help="run folder for pages, workbook, data docs (default: ./runs/latest)")
    r.add_argument("--year", type=int, metavar="Y", help="only this report year")
    r.add_argument("--quiet", action="store_true", help="no progress output")
    r.set_defaults(func=cmd_run)

    u = sub.add_parser("ui", help="the Dagster UI (dagster dev) on the same definitions")
    u.add_argument("--inbox", metavar="DIR")
    u.add_argument("--out", metavar="DIR")
    u.add_argument("--port", type=int, default=3000)
    u.set_defaults(func=cmd_ui)

    from .review.cli import add_commands  # review, notices, serve (the office's review loop)

    add_commands(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    ap = build_parser()
    args = ap.parse_args(argv)
    if not getattr(args, "func", None):
        ap.print_help()
        return EXIT_OK
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print("nianbao: interrupted", file=sys.stderr)
        return 130
    except ValueError as e:
        from .settings import SettingsError

        if not isinstance(e, SettingsError):
            return _internal(e)
        print(f"nianbao: {e}", file=sys.stderr)  # a NIANBAO_* variable that cannot be used
        return EXIT_UNREADABLE
    except BrokenPipeError:
        # output piped into `head` and closed: not an error of ours
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return EXIT_OK
    except Exception as e:  # the last line of defence: a sentence, not a traceback
        return _internal(e)


def _internal(e: Exception) -> int:
    if os.environ.get("NIANBAO_DEBUG"):
        raise e
    print(
        f"nianbao: internal error ({type(e).__name__}: {e}). Set NIANBAO_DEBUG=1 to see the details and report it.",
        file=sys.stderr,
    )
    return EXIT_INTERNAL


if __name__ == "__main__":
    sys.exit(main())
