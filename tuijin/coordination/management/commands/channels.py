from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.accounts.models import Organization
from tuijin.coordination.channels.config import channel_add, channel_test, mask_address
from tuijin.coordination.choices import ChannelKind
from tuijin.coordination.models import Channel
from tuijin.core.commands import TuijinCommand


class Command(TuijinCommand):
    help = (
        "Notification channels of units and users: `tuijin channels list`, `tuijin channels add KIND (--unit NAME | "
        "--user USERNAME) [--address …] [--secret SEC…]`, `tuijin channels test ID`, `tuijin channels remove ID`."
    )

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("list", help="list channels")
        add = sub.add_parser("add", help="add a channel")
        add.add_argument("kind", choices=ChannelKind.values)
        owner = add.add_mutually_exclusive_group(required=True)
        owner.add_argument("--unit", help="the unit's exact name")
        owner.add_argument("--user", dest="username", help="the user's username")
        add.add_argument("--address", default="", help="email address or webhook URL")
        add.add_argument("--secret", default="", help="DingTalk signing secret (加签)")
        for name in ("test", "remove"):
            cmd = sub.add_parser(name, help=f"{name} a channel")
            cmd.add_argument("id", type=int)

    def run(self, *args, **options):
        action = options["action"]
        if action == "list":
            for c in Channel.objects.select_related("organization", "user"):
                state = "" if c.active else " " + _("(inactive)")
                self.stdout.write(f"{c.pk}\t{c.kind}\t{c.organization or c.user}\t{mask_address(c.recipient())}{state}")
            return
        if action == "add":
            org = user = None
            if options["unit"]:
                org = Organization.objects.filter(name=options["unit"]).first()
                if org is None:
                    self.fail(_("No such unit: %(name)s") % {"name": options["unit"]})
            else:
                user = get_user_model().objects.filter(username=options["username"]).first()
                if user is None:
                    self.fail(_("No such user: %(name)s") % {"name": options["username"]})
            try:
                c = channel_add(
                    kind=options["kind"],
                    organization=org,
                    user=user,
                    address=options["address"],
                    secret=options["secret"],
                )
            except ValidationError as exc:
                self.fail("; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items()))
            self.stdout.write(_("Added channel %(id)s: %(channel)s.") % {"id": c.pk, "channel": c})
            return
        channel = Channel.objects.filter(pk=options["id"]).first()
        if channel is None:
            self.fail(_("No such channel: %(id)s") % {"id": options["id"]})
        if action == "remove":
            channel.delete()
            self.stdout.write(_("Removed channel %(id)s.") % {"id": options["id"]})
            return
        error = channel_test(channel)
        if error:
            self.fail(_("The test message failed: %(error)s") % {"error": error}, status=1)
        self.stdout.write(_("The test message went out."))
