from django.core.management import call_command
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.projects.demo import demo_is_loaded, demo_users, load_demo


class Command(TuijinCommand):
    help = (
        "Migrate, load a synthetic zone when the database is empty (deterministic), print the demo accounts "
        "and serve on http://127.0.0.1:PORT. Running it again keeps the data."
    )

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=8000, help="port to serve on (default 8000)")
        parser.add_argument("--no-serve", action="store_true", help="only prepare the database and print the accounts")

    def run(self, *args, **options):
        verbosity = options.get("verbosity", 1)
        call_command("migrate", interactive=False, verbosity=max(verbosity - 1, 0), stdout=self.stdout)
        if demo_is_loaded():
            self.stdout.write(_("The database already holds data: data kept."))
        else:
            self.stdout.write(_("Loading the demo zone through the ledger importer …"))
            counts = load_demo(log=(lambda msg: self.stdout.write(f"  {msg}")) if verbosity > 1 else None)
            self.stdout.write(_("Loaded %(projects)s projects over %(periods)s periods.") % counts)
        port = options["port"]
        url = f"http://127.0.0.1:{port}/"
        self.stdout.write("")
        self.stdout.write(_("tuijin demo: %(url)s") % {"url": url})
        users = demo_users()
        if users:
            self.stdout.write(_("Demo accounts (the passwords they were given):"))
            head = (_("user"), _("password"), _("role"), _("region"), _("organisation"))
            self.stdout.write(f"  {head[0]:<12}{head[1]:<20}{_pad(head[2], 16)}{_pad(head[3], 32)}{head[4]}")
            for u in users:
                self.stdout.write(
                    f"  {u['username']:<12}{u['password']:<20}"
                    f"{_pad(u['role'], 16)}"
                    f"{_pad(u['region'], 32)}{u['organization']}"
                )
        self.stdout.write("")
        self.stdout.flush()  # the table before the server's own output, also when piped
        if options["no_serve"]:
            return
        call_command("runserver", f"127.0.0.1:{port}", use_reloader=False)


def _pad(text: str, width: int) -> str:
    """Left-justify to a display width: a Chinese character takes two columns."""
    shown = sum(2 if ord(c) > 0x2E80 else 1 for c in text)
    return text + " " * max(width - shown, 1)
