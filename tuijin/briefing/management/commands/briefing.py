"""`tuijin briefing --template NAME --as-of DATE --out FILE.docx|FILE.pdf [--region CODE] [--save|--publish]`."""

import datetime
import time
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from tuijin.core.commands import TuijinCommand
from tuijin.regions.models import Region

from ... import services
from ...documents import Paper, briefing_docx, briefing_pdf, paper_of
from ...models import BriefingTemplate
from ...shipped import ensure_shipped
from ...tables import snapshot


class Command(TuijinCommand):
    # A report a cron job or the office runs monthly: Django's system checks (URL and model checks, ≈ 1 s at start)
    # are for `tuijin check` and the server, not for every document written.
    requires_system_checks = []
    help = (
        "Write a briefing (简报) from a template as of a date: `tuijin briefing --template monthly --as-of 2022-11-30 "
        "--out 简报.docx` (.docx or .pdf). --region CODE (default: the region holding every project); --save keeps "
        "it as a draft briefing, --publish also publishes it; --list shows the templates."
    )

    def add_arguments(self, parser):
        parser.add_argument("--template", help="template name (shipped: monthly, weekly)")
        parser.add_argument("--as-of", help="YYYY-MM-DD")
        parser.add_argument("--out", help="the file to write: .docx or .pdf")
        parser.add_argument("--region", help="region code (default: the region holding every project)")
        parser.add_argument("--number", type=int, help="the issue number (default: the next in the series)")
        parser.add_argument("--save", action="store_true", help="keep it as a draft briefing")
        parser.add_argument("--publish", action="store_true", help="keep it and publish it")
        parser.add_argument("--list", action="store_true", help="list the templates")

    def run(self, *args, **options):
        ensure_shipped()
        if options["list"]:
            for t in BriefingTemplate.objects.order_by("kind", "name"):
                self.stdout.write(f"{t.name:<16} {t.kind:<8} v{t.version:<4} {t.title}")
            return
        name = options["template"]
        if not name:
            self.fail(_("Give --template NAME (see --list)."))
        template = BriefingTemplate.objects.filter(name=name).first()
        if template is None:
            known = ", ".join(BriefingTemplate.objects.order_by("name").values_list("name", flat=True))
            self.fail(_("No briefing template named %(name)s (templates: %(known)s).") % {"name": name, "known": known})
        if not options["as_of"]:
            self.fail(_("Give --as-of YYYY-MM-DD."))
        try:
            as_of = datetime.date.fromisoformat(options["as_of"])
        except ValueError:
            self.fail(_("Not a date: %(value)s (use YYYY-MM-DD).") % {"value": options["as_of"]})
        out = options["out"]
        if not out or Path(out).suffix.lower() not in (".docx", ".pdf"):
            self.fail(_("Give --out FILE.docx or FILE.pdf."))
        if options["region"]:
            region = Region.objects.filter(code=options["region"]).first()
            if region is None:
                self.fail(_("No region with code %(code)s.") % {"code": options["region"]})
        else:
            region = services.default_region()
            if region is None:
                self.fail(_("There is no region yet: give --region CODE."))

        started = time.perf_counter()
        try:
            paper = self._paper(template, region, as_of, options)
        except ValidationError as exc:
            self.fail(" ".join(exc.messages))
        data = briefing_pdf(paper) if out.lower().endswith(".pdf") else briefing_docx(paper)
        Path(out).write_bytes(data)
        self.stdout.write(
            _("Wrote %(out)s: %(title)s%(number)s, %(region)s as of %(date)s (%(seconds).1f s).")
            % {
                "out": out,
                "title": paper.title,
                "number": paper.number_label,
                "region": region.name,
                "date": as_of.isoformat(),
                "seconds": time.perf_counter() - started,
            }
        )

    def _paper(self, template, region, as_of, options) -> Paper:
        if options["save"] or options["publish"]:
            briefing = services.briefing_generate(
                user=None, template=template, region=region, as_of=as_of, number=options["number"]
            )
            if options["publish"]:
                briefing = services.briefing_publish(user=None, briefing=briefing)
            self.stdout.write(_("Saved briefing #%(pk)s (%(state)s).") % {"pk": briefing.pk, "state": briefing.state})
            return paper_of(briefing)
        number = options["number"] or services.next_number(region, template.kind, as_of.year)
        rendered = services.render_template(template, region, as_of, number=number)
        errors = [p for p in rendered.problems if p.where != "result"]
        if errors:
            raise ValidationError([str(p) for p in errors])
        import json

        from django.core.serializers.json import DjangoJSONEncoder

        data = json.loads(json.dumps(snapshot(rendered.context), cls=DjangoJSONEncoder))
        return Paper(
            rendered.title, f"〔{as_of.year}〕第{number}期", rendered.context["issuer"], as_of, rendered.text, data
        )
