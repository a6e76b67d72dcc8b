"""The schemes tuijin ships (docs/assessment.md explains each indicator): `province`, the province's 100-point
scheme for its cities (谋划储备 10, 签约落地 30, 开工投产 30, 投产达效 20, 服务保障 10), and `zone-monthly`, a zone's
monthly scheme for its responsible units. Data, not code: the office edits them through new versions."""

from __future__ import annotations


def _i(code, group, label, weight, formula, rule, rule_params, formula_params=None):
    return {
        "code": code,
        "group": group,
        "label": label,
        "weight": weight,
        "formula": formula,
        "formula_params": formula_params or {},
        "rule": rule,
        "rule_params": rule_params,
    }


PROVINCE = {
    "name": "province",
    "title": "“三个一批”项目建设考核（百分制）",
    "subject_kind": "regions",
    "period_kind": "quarter",
    "description": (
        "省对各市的百分制考核：谋划储备10分、签约落地30分、开工投产30分、投产达效20分、服务保障10分，另加减分项。"
    ),
    "red_list_size": 3,
    "black_list_size": 3,
    "indicators": [
        _i("A1", "谋划储备", "储备项目总投资", "10", "reserve_investment", "rank", {"step": "0.5"}),
        _i("B1", "签约落地", "签约项目总投资", "10", "signed_investment", "rank", {"step": "0.5"}),
        _i(
            "B2",
            "签约落地",
            "签约项目履约率",
            "20",
            "signed_honoured",
            "linear",
            {"low": "50", "high": "100", "if_empty": "zero"},
            {"basis": "batch"},
        ),
        _i(
            "C1",
            "开工投产",
            "履约项目开工率",
            "10",
            "start_rate",
            "linear",
            {"low": "50", "high": "100", "if_empty": "zero"},
            {"basis": "batch"},
        ),
        _i(
            "C2",
            "开工投产",
            "开工项目投产率",
            "10",
            "production_rate",
            "linear",
            {"low": "50", "high": "100", "if_empty": "zero"},
            {"basis": "batch"},
        ),
        _i(
            "C3",
            "开工投产",
            "年度投资完成率（对比序时进度）",
            "10",
            "investment_schedule",
            "linear",
            {"low": "60", "high": "100", "if_empty": "zero"},
        ),
        _i(
            "D1",
            "投产达效",
            "投产项目达效率",
            "20",
            "effective_rate",
            "linear",
            {"low": "20", "high": "80", "if_empty": "zero"},
        ),
        _i("E1", "服务保障", "问题解决销号率", "5", "problems_solved", "linear", {"low": "50", "high": "100"}),
        _i("E2", "服务保障", "交办事项按期办结率", "5", "tasks_on_time", "linear", {"low": "60", "high": "100"}),
    ],
}

ZONE_MONTHLY = {
    "name": "zone-monthly",
    "title": "重点项目责任单位月度考核",
    "subject_kind": "units",
    "period_kind": "month",
    "description": (
        "开发区对各责任单位的月度百分制考核：投资进度、节点、交办事项、问题解决、月报和当月开工；"
        "交办事项逾期3项及以上的一票否决。"
    ),
    "red_list_size": 3,
    "black_list_size": 3,
    "indicators": [
        _i(
            "Z1",
            "投资进度",
            "年度投资完成率（对比序时进度）",
            "25",
            "investment_schedule",
            "linear",
            {"low": "60", "high": "100"},
        ),
        _i("Z2", "节点推进", "节点按期完成率", "20", "nodes_on_time", "linear", {"low": "60", "high": "100"}),
        _i("Z3", "交办事项", "交办事项按期办结率", "20", "tasks_on_time", "linear", {"low": "60", "high": "100"}),
        _i("Z4", "问题解决", "问题解决销号率", "15", "problems_solved", "linear", {"low": "50", "high": "100"}),
        _i("Z5", "月报报送", "月报按时报送率", "10", "reports_on_time", "linear", {"low": "80", "high": "100"}),
        _i("Z6", "开工建设", "当月新开工项目", "10", "started_count", "per_item", {"per_item": "2", "cap": "10"}),
        _i("Z7", "一票否决", "交办事项逾期3项及以上", "0", "tasks_overdue", "veto", {"op": ">=", "threshold": "3"}),
    ],
}

SHIPPED = [PROVINCE, ZONE_MONTHLY]


def ensure_shipped_schemes(apps=None) -> list[str]:
    """Create the shipped schemes that are missing (version 1 with their indicators); leave existing ones as the
    office has made them. Returns the names created. `apps`: the migration's app registry (historical models)."""
    if apps is None:
        from django.apps import apps as registry

        apps = registry
    Scheme = apps.get_model("assessment", "Scheme")
    SchemeVersion = apps.get_model("assessment", "SchemeVersion")
    Indicator = apps.get_model("assessment", "Indicator")
    created = []
    for data in SHIPPED:
        fields = {k: v for k, v in data.items() if k not in ("name", "indicators")}
        scheme, made = Scheme.objects.get_or_create(name=data["name"], defaults=fields)
        if not made and SchemeVersion.objects.filter(scheme=scheme).exists():
            continue
        version = SchemeVersion.objects.create(scheme=scheme, number=1, reason="")
        for order, ind in enumerate(data["indicators"], start=1):
            Indicator.objects.create(version=version, order=order, **ind)
        created.append(data["name"])
    return created
