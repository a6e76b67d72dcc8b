from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.projects.services import region_create
from tuijin.regions.models import Region


class Command(TuijinCommand):
    help = "Manage regions: `tuijin regions add CODE NAME [--parent CODE]`, `tuijin regions list`."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        add = sub.add_parser("add", help="add a region")
        add.add_argument("code")
        add.add_argument("name")
        add.add_argument("--parent", help="code of the parent region")
        sub.add_parser("list", help="list regions")

    def run(self, *args, **options):
        if options["action"] == "list":
            for r in Region.objects.all():
                self.stdout.write(f"{'  ' * (r.depth - 1)}{r.code}\t{r.name}")
            return
        parent = None
        if options["parent"]:
            parent = Region.objects.filter(code=options["parent"]).first()
            if parent is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["parent"]})
        try:
            region = region_create(code=options["code"], name=options["name"], parent=parent)
        except ValidationError as exc:
            self.fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
        self.stdout.write(_("Added region %(code)s %(name)s.") % {"code": region.code, "name": region.name})
