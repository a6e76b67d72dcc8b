"""Base for tuijin's management commands: writes are recorded as made by the command line."""

import argparse
import getpass
import sys

from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from .changelog import change_context
from .choices import ChangeSource


class TuijinCommand(BaseCommand):
    """Runs `run()` under a CLI change context, in Chinese unless `--lang en`."""

    lang_option = True

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, **kwargs)
        if self.lang_option:
            help_ = "language of messages (zh-hans or en)"
            parser.add_argument("--lang", choices=["zh-hans", "zh", "en"], default="zh-hans", help=help_)
            for action in parser._actions:  # `regions add … --lang en`: subcommands accept it too
                if isinstance(action, argparse._SubParsersAction):
                    for sub in action.choices.values():
                        sub.add_argument(
                            "--lang", choices=["zh-hans", "zh", "en"], default=argparse.SUPPRESS, help=help_
                        )
        return parser

    def handle(self, *args, **options):
        lang = options.get("lang", "zh-hans")
        lang = "zh-hans" if lang == "zh" else lang
        label = "tuijin " + " ".join(sys.argv[1:])
        with translation.override(lang), change_context(source=ChangeSource.CLI, label=label, user=_cli_user(options)):
            return self.run(*args, **options)

    def run(self, *args, **options):
        raise NotImplementedError

    def fail(self, message: str, status: int = 2):
        raise CommandError(message, returncode=status)


def _cli_user(options):
    """The account the change log names for a command: --user if given, else none (the OS user in the label)."""
    from django.contrib.auth import get_user_model

    name = options.get("user")
    if not name:
        return None
    user = get_user_model().objects.filter(username=name).first()
    if user is None:
        raise CommandError(f"no such user: {name}", returncode=2)
    return user


def os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - containers may have no passwd entry
        return "unknown"
