import sys

from django.core.exceptions import ValidationError
from django.db import transaction

from tuijin.assessment import services
from tuijin.assessment.choices import SubjectKind
from tuijin.assessment.periods import parse_period
from tuijin.assessment.selectors import assessment_payload
from tuijin.core.commands import TuijinCommand
from tuijin.core.renderers import dumps


def _message(error: ValidationError) -> str:
    return (
        " ".join(m for messages in error.message_dict.values() for m in messages)
        if hasattr(error, "error_dict")
        else " ".join(error.messages)
    )


class Command(TuijinCommand):
    help = (
        "Score an assessment period by a scheme: `tuijin assess --scheme NAME --period 2022-Q4 "
        "[--subjects units|leaders|regions] [--region CODE] [--publish] --json`. Computes (or recomputes) the draft "
        "of the scheme's current version; a published one is printed as it was published. Periods: 2022-11 (month), "
        "2022-Q4 (quarter), 2022 (year)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--scheme", required=True, help="scheme short name, e.g. province or zone-monthly")
        parser.add_argument("--period", required=True, help="2022-11, 2022-Q4 or 2022")
        parser.add_argument("--subjects", choices=SubjectKind.values, help="default: the scheme's")
        parser.add_argument("--region", help="region code (default: the root region)")
        parser.add_argument("--publish", action="store_true", help="publish it (read-only afterwards)")
        parser.add_argument("--user", help="user name to record the change under")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def run(self, *args, **options):
        try:
            with transaction.atomic():
                assessment = self._assess(options)
        except ValidationError as e:
            self.fail(_message(e))
        payload = assessment_payload(assessment)
        if options["json"]:
            sys.stdout.buffer.write(dumps(payload) + b"\n")
            sys.stdout.flush()
            return
        self.stdout.write(
            f"{assessment.version} · {assessment.period} · {assessment.region} · {assessment.get_state_display()}"
        )
        for s in payload["subjects"]:
            self.stdout.write(f"{s['rank']:>4}  {s['score']:>8}  {s['label']}")

    def _assess(self, options):
        scheme = services.scheme_by_name(options["scheme"])
        spec = parse_period(options["period"])
        kind = options["subjects"] or scheme.subject_kind
        region = services.resolve_region(options["region"], kind)
        existing = services.assessment_find(scheme=scheme, period_key=spec.key, region=region, subjects=kind)
        if existing is not None and existing.is_published:
            return existing
        assessment = services.assessment_compute(scheme=scheme, period=spec.key, region=region, subjects=kind)
        if options["publish"]:
            services.assessment_publish(assessment=assessment)
        return assessment
