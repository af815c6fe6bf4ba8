"""`isops leads …`: CSV import / export of leads and the inbound routing rules."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from bot.cli import common
from isops.settings import Settings

if TYPE_CHECKING:
    from isops.unit_of_work import UnitOfWork


class ProgressBar:
    """`検証 [#########.....] 64% 12.8/20.0 MB` on stderr, redrawn once per whole percent."""

    def __init__(self, stream: TextIO, width: int = 30) -> None:
        self._stream = stream
        self._width = width
        self._last: tuple[str | None, int] = (None, -1)

    def __call__(self, phase: str, done: int, total: int) -> None:
        percent = 100 if total <= 0 else min(100, done * 100 // total)
        if (phase, percent) == self._last:
            return
        if self._last[0] not in (None, phase):
            self._stream.write("\n")
        self._last = (phase, percent)
        filled = self._width * percent // 100
        bar = "#" * filled + "." * (self._width - filled)
        self._stream.write(f"\r{phase} [{bar}] {percent:3d}% {done / 1e6:.1f}/{total / 1e6:.1f} MB")
        self._stream.flush()

    def close(self) -> None:
        if self._last[0] is not None:
            self._stream.write("\n")
            self._stream.flush()


def _cmd_import(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio import ImportPolicy, import_leads

    path = common.input_file(args.file)
    lookup = common.slack_email_lookup(settings) if args.owner_by != "slack-id" else None
    show_progress = sys.stderr.isatty() if args.progress is None else args.progress
    progress = ProgressBar(sys.stderr) if show_progress else None
    policy = ImportPolicy(tz=settings.tz, inbound_sources=settings.inbound_sources)
    try:
        stream = path.open("rb")
    except OSError as exc:
        raise common.CliError(f"{path} を開けません: {exc.strerror or exc}") from None
    try:
        with common.slack_lookup_errors(), common.open_uow_factory(settings) as uow_factory, stream:
            result = import_leads(
                uow_factory,
                stream=stream,
                policy=policy,
                owner_by=args.owner_by,
                lookup_email=lookup,
                dry_run=args.dry_run,
                encoding=args.encoding,
                progress=progress,
            )
    finally:
        if progress is not None:
            progress.close()
    common.print_import_report(result)
    if (
        result.error_count
        and lookup is None
        and any("メンバーではありません" in e.message for e in result.errors)
    ):
        print(
            "ヒント: SLACK_BOT_TOKEN を設定すると、メンバー登録にないメールアドレスも Slack で探します",
            file=sys.stderr,
        )
    return 1 if result.error_count else 0


def _cmd_export(settings: Settings, args: argparse.Namespace) -> int:
    from isops.csvio import export_leads

    def write(uow: UnitOfWork, out: TextIO) -> int:
        return export_leads(
            uow, out=out, tz=settings.tz, owner_as=args.owner_as, language=args.headers
        )

    if args.file == "-":
        with common.open_uow_factory(settings) as uow_factory:
            count = write(uow_factory(), sys.stdout)
        print(f"{count} 件を書き出しました", file=sys.stderr)
        return 0
    return common.export_csv(settings, args.file, encoding=args.encoding, write=write)


def _print_rules(views: list[Any]) -> None:
    if not views:
        print("振り分け規則はありません (すべてのリードを担当者全員でローテーション)")
        return
    print("順番\tID\t流入元\t業種\t振り分け先")
    for v in views:
        target = " / ".join(
            t
            for t in (
                f"メンバー {v.member_slack_user_id}" if v.member_slack_user_id else "",
                f"チーム {v.team}" if v.team else "",
            )
            if t
        )
        print(f"{v.position}\t{v.id}\t{v.source or '*'}\t{v.industry or '*'}\t{target}")


def _cmd_rules_list(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.assignment import list_rules

    with common.open_uow_factory(settings) as uow_factory:
        _print_rules(list_rules(uow_factory()))
    return 0


def _cmd_rules_add(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.assignment import RuleSpec, add_rule, list_rules

    spec = RuleSpec(source=args.source, industry=args.industry, team=args.team, member=args.member)
    with common.open_uow_factory(settings) as uow_factory:
        view = add_rule(uow_factory(), spec=spec, position=args.position)
        print(f"追加しました: 規則 {view.id} ({view.describe()})")
        _print_rules(list_rules(uow_factory()))
    return 0


def _cmd_rules_remove(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.assignment import list_rules, remove_rule

    with common.open_uow_factory(settings) as uow_factory:
        remove_rule(uow_factory(), rule_id=args.rule_id)
        print(f"削除しました: 規則 {args.rule_id}")
        _print_rules(list_rules(uow_factory()))
    return 0


def _cmd_rules_load(settings: Settings, args: argparse.Namespace) -> int:
    from isops.services.assignment import read_rules_file, replace_rules

    path = Path(args.file)
    specs = read_rules_file(path)
    with common.open_uow_factory(settings) as uow_factory:
        views = replace_rules(uow_factory(), specs=specs)
    print(f"{path} の {len(views)} 件で振り分け規則を置き換えました")
    _print_rules(views)
    return 0


def add_parsers(sub: common.Subparsers) -> None:
    """`isops leads import|export|rules …`."""
    leads_sub = common.add_group(
        sub,
        "leads",
        help="リードの CSV 取り込み・書き出しと、流入時の振り分け規則",
        dest="leads_command",
    )

    imp = leads_sub.add_parser(
        "import",
        help="CSV からリードを取り込む (全行を検証してから保存。同じファイルの再取り込みは更新)",
    )
    imp.add_argument("file", metavar="FILE.csv", help="UTF-8 (BOM 付きも可) か Shift_JIS/CP932")
    common.add_import_options(imp)
    imp.add_argument(
        "--owner-by",
        choices=["auto", "email", "slack-id"],
        default="auto",
        help="担当者列の読み方 (既定 auto: @ があればメール、なければ Slack ユーザー ID)",
    )
    imp.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="進み具合を表示する (既定: 端末のときだけ)",
    )
    imp.set_defaults(handler=_cmd_import)

    exp = leads_sub.add_parser(
        "export", help="全リードを CSV に書き出す (4項目・架電数・メール数・最終活動日時)"
    )
    exp.add_argument("file", metavar="FILE.csv", help="書き出し先 (- なら標準出力)")
    common.add_export_encoding(exp)
    exp.add_argument(
        "--owner-as",
        choices=["slack-id", "email"],
        default="slack-id",
        help="担当者列に書くもの (既定: Slack ユーザー ID)",
    )
    exp.add_argument(
        "--headers", choices=["ja", "en"], default="ja", help="見出しの言語 (既定: ja)"
    )
    exp.set_defaults(handler=_cmd_export)

    rules_sub = common.add_group(
        leads_sub,
        "rules",
        help="流入リードの振り分け規則 (上から順に最初に合うもの)",
        dest="rules_command",
    )
    lst = rules_sub.add_parser("list", help="振り分け規則の一覧")
    lst.set_defaults(handler=_cmd_rules_list)
    add = rules_sub.add_parser("add", help="規則を追加 (流入元・業種 → チームかメンバー)")
    add.add_argument("--source", help="流入元 (省略: すべて)")
    add.add_argument("--industry", help="業種 (省略: すべて)")
    add.add_argument("--team", help="このチームの担当者でローテーション")
    add.add_argument("--member", help="このメンバーに割り当て (Slack ユーザー ID かメール)")
    add.add_argument("--position", type=int, help="何番目に試すか (既定: 最後)")
    add.set_defaults(handler=_cmd_rules_add)
    rm = rules_sub.add_parser("remove", help="規則を削除")
    rm.add_argument("rule_id", metavar="ID", type=int, help="rules list の ID")
    rm.set_defaults(handler=_cmd_rules_remove)
    load = rules_sub.add_parser("load", help="YAML ファイルの内容で規則をすべて置き換える")
    load.add_argument("file", metavar="RULES.yml")
    load.set_defaults(handler=_cmd_rules_load)
