"""`isops`: one command line for operators (database, members, leads, the bot itself).

One module per command group, each with `add_parsers(sub)`; `GROUPS` lists them in the order
`isops --help` shows them, so a new group is a module here and one entry in `GROUPS`. What the
groups share (parser, error policy, database and deps) is in `bot.cli.common`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from bot.cli import (
    actions,
    cases,
    db,
    demo,
    handoffs,
    leads,
    members,
    remind,
    report,
    scorecard,
    serve,
)
from bot.cli.common import CliParser, Handler, Subparsers, run

GROUPS: tuple[Callable[[Subparsers], None], ...] = (
    db.add_parsers,
    serve.add_parsers,
    members.add_parsers,
    leads.add_parsers,
    actions.add_parsers,
    cases.add_parsers,
    handoffs.add_parsers,
    remind.add_parsers,
    report.add_parsers,
    scorecard.add_parsers,
    demo.add_parsers,
)


def build_parser() -> CliParser:
    parser = CliParser(prog="isops", description="isops — インサイドセールスの活動環境 (Slack bot)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=CliParser)
    for add_parsers in GROUPS:
        add_parsers(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    handler: Handler = args.handler
    return run(handler, args)
